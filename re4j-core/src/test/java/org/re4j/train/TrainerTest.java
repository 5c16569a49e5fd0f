package org.re4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.re4j.data.DataException;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.config.AdamConfig;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Pop;

/** Training end to end on planted multi-interest users: it must learn what popularity cannot. */
class TrainerTest {

    static TrainRun.Outcome run(Dataset ds, String model, boolean lazy, long steps) throws Exception {
        TrainConfig tc = TrainConfig.comirec().withBatchSize(64).withSteps(steps)
                .withAdam(AdamConfig.defaults(2e-3).withUpdates(lazy ? AdamConfig.Updates.LAZY : AdamConfig.Updates.DENSE))
                .withNegatives(320).withEvalEvery(500).withPatience(3).withSeed(7);
        Record mc = model.equals(Pop.NAME) ? new Pop.Config(ds.numItems())
                : ComiRecSA.Config.comirec(ds.numItems()).withDim(32).withHidden(64);
        return TrainRun.run(new TrainRun.Spec(mc, tc), ds, null, new TrainRun.Options(false, 2, Map.of()));
    }

    static double recall50(TrainRun.Outcome o) {
        return ((Map<?, ?>) o.metrics().get("test")).get("recall@50") instanceof Double d ? d : Double.NaN;
    }

    @Test
    void comiRecSaBeatsPopularityOnPlantedInterests() throws Exception {
        Dataset ds = SyntheticData.plantedInterests(1500, 400, 10, 11);
        double pop = recall50(run(ds, "pop", true, 0));
        double lazy = recall50(run(ds, "comirec-sa", true, 1500));
        double dense = recall50(run(ds, "comirec-sa", false, 1500));
        assertTrue(lazy > pop + 0.1, "ComiRec-SA (lazy Adam) recall@50 " + lazy + " vs POP " + pop);
        assertTrue(dense > pop + 0.1, "ComiRec-SA (dense Adam) recall@50 " + dense + " vs POP " + pop);
    }

    @Test
    void metricsCarryTheTrainingFacts() throws Exception {
        Dataset ds = SyntheticData.plantedInterests(300, 100, 5, 2);
        TrainRun.Outcome o = run(ds, "comirec-sa", true, 200);
        Map<?, ?> train = (Map<?, ?>) o.metrics().get("train");
        assertEquals(200L, ((Number) train.get("steps")).longValue());
        assertEquals("lazy", train.get("adam"));
        assertTrue(((Number) train.get("ms_per_step")).doubleValue() > 0);
    }

    @Test
    void tooFewUsersIsRefusedBeforeTraining() {
        Dataset ds = SyntheticData.plantedInterests(5, 20, 2, 1);
        Exception e = assertThrows(Exception.class, () -> run(ds, "comirec-sa", true, 10));
        assertTrue(e instanceof IllegalArgumentException || e instanceof DataException, e.toString());
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
    }
}
