package org.re4j.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;


import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.data.Dataset;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.io.SafeTensors;
import org.re4j.model.Recommender;

/** Batch inference: every user's K interest vectors from their last maxLen behaviours, for offline use. */
@Command(name = "embed-users", mixinStandardHelpOptions = true,
        description = "Write every user's interest vectors (safetensors 'user_interests' [users × K × d]) and users.txt.")
final class EmbedUsersCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A directory written by 're4j train'.")
    Path modelDir;

    @Mixin DataOptions data;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors; users go to FILE.users.txt.")
    Path out;

    @Option(names = "--batch", defaultValue = "512", description = "Users encoded together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        TrainedModel saved = TrainedModel.load(modelDir, data);
        Dataset ds = saved.data();
        Recommender m = saved.model();
        int k = m.numInterests(), d = m.dim(), L = m.maxLen(), users = ds.numUsers();
        if ((long) users * k * d > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(users + " users × " + k + " × " + d + " does not fit in one array");
        float[] all = new float[users * k * d];
        int[] hist = new int[batch * L], len = new int[batch];
        float[] z = new float[batch * k * d];
        for (int from = 0; from < users; from += batch) {
            int count = Math.min(batch, users - from);
            Arrays.fill(hist, 0);
            for (int u = 0; u < count; u++) {
                int[] s = ds.sequences[from + u];
                int l = Math.min(L, s.length);
                System.arraycopy(s, s.length - l, hist, u * L, l);
                len[u] = l;
            }
            m.interests(hist, len, count, z);
            System.arraycopy(z, 0, all, from * k * d, count * k * d);
        }
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("user_interests", new SafeTensors.Tensor(new long[] {users, k, d}, all));
        // users.txt first, then the tensors naming its checksum: a run cut between the two leaves a pair that a
        // reader can tell apart (the tensors are the last to change).
        String usersText = String.join("\n", ds.userIds) + "\n";
        AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".users.txt"), usersText);
        Map<String, String> meta = new java.util.LinkedHashMap<>(); // a fixed order: the same input writes the same bytes
        meta.put("model", m.name());
        if (saved.config().hasNonNull(ModelDir.MODEL_ID)) meta.put("model_id", saved.config().get(ModelDir.MODEL_ID).asText());
        meta.put("users_file", out.getFileName() + ".users.txt");
        meta.put("users_sha256", java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(usersText.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        SafeTensors.write(out, t, meta);
        System.err.printf("re4j: wrote %,d users × %d interests × %d to %s%n", users, k, d, out);
        return 0;
    }
}
