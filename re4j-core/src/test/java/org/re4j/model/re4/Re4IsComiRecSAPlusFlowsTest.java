package org.re4j.model.re4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Param;
import org.re4j.train.TrainRun;

/**
 * The paper's Re4 is its ComiRec-SA plus the backward flows (Table 4's Base row is Table 2's ComiRec-SA row). So is
 * re4j's: Re4 with every λ 0 trains exactly ComiRec-SA with the same encoder config, to the same parameters and
 * metrics (equal, not close).
 */
class Re4IsComiRecSAPlusFlowsTest {

    static TrainRun.Outcome train(Record model, Dataset ds) throws Exception {
        TrainConfig t = TrainConfig.comirec().withBatchSize(32).withSteps(200).withNegatives(64).withEvalEvery(100).withSeed(5);
        return TrainRun.run(new TrainRun.Spec(model, t), ds, null, new TrainRun.Options(false, 2, Map.of()));
    }

    @Test
    void re4WithEveryWeightZeroIsComiRecSAAtTheSameK() throws Exception {
        Dataset ds = SyntheticData.plantedInterests(400, 150, 6, 3);
        Re4.Config re4 = Re4.Config.paper(ds.numItems());
        re4 = re4.withEncoder(re4.encoder().withDim(16).withHidden(32));
        ComiRecSA.Config sa = ComiRecSA.Config.comirec(ds.numItems()).withInterests(8).withDim(16).withHidden(32);
        assertEquals(sa, re4.encoder(), "Re4's default forward flow is ComiRec-SA at K 8");

        TrainRun.Outcome base = train(re4.withFlowWeights(0, 0, 0), ds), comirec = train(sa, ds);
        assertEquals(comirec.metrics().get("test"), base.metrics().get("test"));
        assertEquals(comirec.metrics().get("valid"), base.metrics().get("valid"));
        var a = comirec.model().params().all();
        var b = base.model().params().all();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Param p = a.get(i), q = b.get(i);
            assertEquals(p.name, q.name);
            assertArrayEquals(p.value, q.value, p.name);
        }
        // And the flows are what makes the difference.
        TrainRun.Outcome withFlows = train(re4, ds);
        assertNotEquals(comirec.metrics().get("valid"), withFlows.metrics().get("valid"));
    }
}
