# The four real datasets as re4j reads them from ../shared/data (sourced by the reproduce-*.sh scripts).
d=../shared/data
declare -A files=(
  [gowalla]="$d/gowalla/train.txt,$d/gowalla/test.txt"
  [ml-1m]="$d/ml-1m/ratings.dat.gz"
  [beauty]="$d/amazon-beauty/Beauty.txt"
  [sports]="$d/amazon-sports/Sports_and_Outdoors.txt"
)
