package org.re4j.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** What {@code re4j stats} prints: sizes, sequence lengths, how long-tailed the catalogue is. */
public record DatasetStats(String name, int users, int items, long interactions, double density,
                           double meanLength, int minLength, int medianLength, int p90Length, int maxLength,
                           int maxItemCount, int medianItemCount, double top1PercentShare, double top10PercentShare,
                           int usersTrainable) {

    public static DatasetStats of(Dataset d) {
        int[] len = new int[d.numUsers()];
        int trainable = 0;
        for (int u = 0; u < len.length; u++) {
            len[u] = d.sequences[u].length;
            if (len[u] > TrainSampler.MIN_HISTORY) trainable++;
        }
        Arrays.sort(len);
        int[] counts = Arrays.copyOfRange(d.itemCounts, 1, d.itemCounts.length); // descending already
        long top1 = 0, top10 = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i < Math.max(1, counts.length / 100)) top1 += counts[i];
            if (i < Math.max(1, counts.length / 10)) top10 += counts[i];
        }
        long n = d.numInteractions();
        return new DatasetStats(d.name, d.numUsers(), d.numItems(), n, n / ((double) d.numUsers() * d.numItems()),
                n / (double) d.numUsers(), len[0], len[len.length / 2], len[(int) (len.length * 0.9)], len[len.length - 1],
                counts[0], counts[counts.length / 2], top1 / (double) n, top10 / (double) n, trainable);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("users", users);
        m.put("items", items);
        m.put("interactions", interactions);
        m.put("density", density);
        Map<String, Object> len = new LinkedHashMap<>();
        len.put("mean", meanLength);
        len.put("min", minLength);
        len.put("median", medianLength);
        len.put("p90", p90Length);
        len.put("max", maxLength);
        m.put("sequence_length", len);
        Map<String, Object> count = new LinkedHashMap<>();
        count.put("max", maxItemCount);
        count.put("median", medianItemCount);
        m.put("item_count", count);
        m.put("top1pct_item_share", top1PercentShare);
        m.put("top10pct_item_share", top10PercentShare);
        m.put("users_with_more_than_4", usersTrainable);
        try {
            return new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return String.format(
                "dataset             %s%n"
              + "users               %,d%n"
              + "items               %,d%n"
              + "interactions        %,d%n"
              + "density             %.6f%n"
              + "sequence length     mean %.1f, min %d, median %d, p90 %d, max %d%n"
              + "item count          max %,d, median %,d%n"
              + "top 1%% / 10%% items  %.1f%% / %.1f%% of interactions%n"
              + "users with > 4      %,d (can be cut for training)",
                name, users, items, interactions, density, meanLength, minLength, medianLength, p90Length, maxLength,
                maxItemCount, medianItemCount, 100 * top1PercentShare, 100 * top10PercentShare, usersTrainable);
    }
}
