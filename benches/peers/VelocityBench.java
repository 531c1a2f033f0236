// Timing harness: renders the shared benchmark workloads with the real Apache Velocity 1.7
// engine (the Debian package `velocity`), warm, and prints one JSON line per workload in the
// shape of `gatebench render --repeat N --timing`:
//   {"engine":"velocity-1.7","workload":"small","renders":N,"parse_ns":P,
//    "ns_per_render_median":M,"ns_per_render_min":m}
//
// Usage (normally through velocity-bench.sh):
//   VelocityBench [--repeat N] [--warmup N] [--warmup-ms MS] [--out DIR] WORKLOAD_DIR...
//
// Each WORKLOAD_DIR holds template.vtl and context.json. The template is parsed once; each
// render gets a fresh VelocityContext holding the context's top-level values (JSON -> Java
// objects exactly as the conformance oracle maps them: ../../../shared/oracle/Oracle.java,
// whose JSON reader this program uses), as `gatebench render --context` gets a fresh copy of
// its context. Warm-up: at least --warmup renders and --warmup-ms milliseconds, whichever
// ends later (the JIT has compiled the hot paths by then). With --out, the output of one
// render is written to DIR/<workload>.out for a byte-for-byte comparison.

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

import org.apache.velocity.Template;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.runtime.RuntimeConstants;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.runtime.parser.node.SimpleNode;

public class VelocityBench {

    static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static VelocityContext context(Map<String, Object> vars) {
        VelocityContext ctx = new VelocityContext();
        for (Map.Entry<String, Object> e : vars.entrySet()) {
            // a top-level null leaves the variable undefined
            if (e.getValue() != null) ctx.put(e.getKey(), e.getValue());
        }
        return ctx;
    }

    static String render(Template t, Map<String, Object> vars) {
        StringWriter w = new StringWriter();
        t.merge(context(vars), w);
        return w.toString();
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        int repeat = 200, warmup = 2000;
        long warmupMs = 10_000;
        Path outDir = null;
        List<Path> dirs = new ArrayList<>();
        for (int k = 0; k < args.length; k++) {
            switch (args[k]) {
                case "--repeat": repeat = Integer.parseInt(args[++k]); break;
                case "--warmup": warmup = Integer.parseInt(args[++k]); break;
                case "--warmup-ms": warmupMs = Long.parseLong(args[++k]); break;
                case "--out": outDir = Paths.get(args[++k]); break;
                default: dirs.add(Paths.get(args[k]));
            }
        }
        if (dirs.isEmpty()) {
            System.err.println("usage: VelocityBench [--repeat N] [--warmup N] [--warmup-ms MS] [--out DIR] WORKLOAD_DIR...");
            System.exit(64);
        }
        PrintStream json = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");

        RuntimeInstance rs = new RuntimeInstance();
        rs.setProperty(RuntimeConstants.RUNTIME_LOG_LOGSYSTEM_CLASS,
                "org.apache.velocity.runtime.log.NullLogChute");
        rs.init();

        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            String source = read(dir.resolve("template.vtl"));
            Object parsed = Oracle.Json.parse(read(dir.resolve("context.json")));
            if (!(parsed instanceof Map)) throw new IllegalArgumentException(dir + ": context is not an object");
            Map<String, Object> vars = (Map<String, Object>) parsed;

            long p0 = System.nanoTime();
            SimpleNode node = rs.parse(new StringReader(source), name);
            Template t = new Template();
            t.setRuntimeServices(rs);
            t.setName(name);
            t.setData(node);
            t.initDocument();
            long parseNs = System.nanoTime() - p0;

            String first = render(t, vars);
            if (outDir != null) {
                Files.createDirectories(outDir);
                Files.write(outDir.resolve(name + ".out"), first.getBytes(StandardCharsets.UTF_8));
            }

            long until = System.currentTimeMillis() + warmupMs;
            int sink = 0;
            for (int k = 0; k < warmup || System.currentTimeMillis() < until; k++) {
                sink += render(t, vars).length();
            }
            long[] samples = new long[repeat];
            for (int k = 0; k < repeat; k++) {
                VelocityContext ctx = context(vars);
                StringWriter w = new StringWriter();
                long s = System.nanoTime();
                t.merge(ctx, w);
                String out = w.toString();
                samples[k] = System.nanoTime() - s;
                sink += out.length();
            }
            Arrays.sort(samples);
            json.print("{\"engine\":\"velocity-1.7\",\"workload\":\"" + name + "\",\"renders\":" + repeat
                    + ",\"parse_ns\":" + parseNs
                    + ",\"ns_per_render_median\":" + samples[repeat / 2]
                    + ",\"ns_per_render_min\":" + samples[0] + "}\n");
            if (sink == 42) json.print("");
        }
        json.flush();
    }
}
