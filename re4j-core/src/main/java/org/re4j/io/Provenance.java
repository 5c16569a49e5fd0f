package org.re4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;

/** What produced a result: re4j's version and commit, the JVM, the OS, the BLAS and the threads. Recorded in metrics.json. */
public final class Provenance {

    private static final Properties BUILD = load("/org/re4j/re4j.properties");
    private static final Properties GIT = load("/org/re4j/git.properties");

    private Provenance() {}

    /** re4j's version, e.g. 0.1.0-SNAPSHOT ("unknown" outside a built jar or classes directory). */
    public static String version() {
        return BUILD.getProperty("version", "unknown");
    }

    /** The git commit the build was made from, with "+modified" for uncommitted changes; null when unknown. */
    public static String commit() {
        String id = GIT.getProperty("git.commit.id");
        if (id == null || id.isBlank() || id.startsWith("$")) return null;
        return id + (Boolean.parseBoolean(GIT.getProperty("git.dirty", "false")) ? "+modified" : "");
    }

    public static Map<String, Object> current() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("re4j_version", version());
        m.put("git_commit", commit());
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("threads", Parallel.threads());
        m.put("blas", Blas.implementation());
        m.put("simd_kernels", Kernels.VECTOR);
        return m;
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // no build information: reported as unknown
        }
        return p;
    }
}
