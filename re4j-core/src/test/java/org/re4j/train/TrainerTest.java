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

    @Test
    void aValidSubsetIsFixedByTheSeedAndDrawnFromTheValidUsers() {
        Dataset ds = SyntheticData.plantedInterests(600, 100, 5, 3);
        org.re4j.data.EvalSet valid = ds.evalSet(org.re4j.data.Split.comirec(ds.numUsers(), 1).valid(), 0.8);
        org.re4j.data.EvalSet a = Trainer.subset(valid, 20, 9), b = Trainer.subset(valid, 20, 9), c = Trainer.subset(valid, 20, 10);
        assertEquals(20, a.size());
        assertTrue(java.util.Arrays.equals(a.users(), b.users()), "the same seed, the same users");
        assertTrue(!java.util.Arrays.equals(a.users(), c.users()), "another seed, other users");
        java.util.Set<Integer> all = new java.util.HashSet<>();
        for (int u : valid.users()) all.add(u);
        for (int i = 0; i < a.size(); i++) {
            assertTrue(all.contains(a.users()[i]));
            if (i > 0) assertTrue(a.users()[i] > a.users()[i - 1], "distinct, in the valid users' order");
        }
        assertTrue(Trainer.subset(valid, null, 9) == valid && Trainer.subset(valid, valid.size(), 9) == valid);
    }

    @Test
    void aValidSubsetSelectsAndTheSelectedModelIsEvaluatedOnEveryValidUser(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Dataset ds = SyntheticData.plantedInterests(600, 100, 5, 3);
        TrainConfig tc = TrainConfig.comirec().withBatchSize(32).withSteps(200).withNegatives(40).withEvalEvery(50)
                .withSeed(7).withValidUsers(15);
        TrainRun.Outcome o = TrainRun.run(new TrainRun.Spec(ComiRecSA.Config.comirec(ds.numItems()).withDim(16).withHidden(32), tc),
                ds, dir.resolve("m"), new TrainRun.Options(false, 1, Map.of()));
        java.util.List<String> log = java.nio.file.Files.readAllLines(dir.resolve("m").resolve(TrainRun.LOG));
        assertEquals(4, log.size());
        assertTrue(log.get(0).contains("\"valid_users\":15"), log.get(0));
        org.re4j.data.EvalSet valid = ds.evalSet(org.re4j.data.Split.comirec(ds.numUsers(), 7).valid(), 0.8);
        assertTrue(valid.size() > 15);
        assertEquals(valid.size(), ((Map<?, ?>) o.metrics().get("users")).get("valid"));
    }
}
