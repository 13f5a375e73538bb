package dev.latentr3.train.cli;

import dev.latentr3.train.report.RunFolderReport;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code latentr3 report}: rebuilds the plots and tables of a run folder from its metrics files (see
 * {@link RunFolderReport} for what it looks for), into {@code metrics-report.md} and {@code plots/}.
 */
final class ReportCommand {
    private ReportCommand() {}

    static final String USAGE = "report --run DIR [--title TEXT] [--out NAME.md]";

    static final String SUMMARY = "rebuilds a run folder's plots and tables from its metrics.jsonl files and evaluation "
            + "summaries into metrics-report.md and plots/";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        Args args = new Args(argv, Set.of("--run", "--title", "--out"), Set.of());
        Path run = args.requiredPath("--run");
        String name = args.string("--out", RunFolderReport.REPORT_FILE);
        if (name.contains("/") || name.contains("\\") || !name.endsWith(".md")) {
            throw new Args.UsageException("--out needs a file name ending in .md (it is written inside the run folder), got '" + name + "'");
        }
        Path absolute = run.toAbsolutePath().normalize();
        String title = args.string("--title", "Run " + (absolute.getFileName() == null ? absolute : absolute.getFileName()));
        RunFolderReport.Summary s = RunFolderReport.write(run, title, name);
        for (String w : s.warnings()) err.println("latentr3 report: warning: " + w);
        out.println("wrote " + s.report() + ": " + s.plots() + (s.plots() == 1 ? " plot" : " plots") + " from "
                + s.metricsFiles() + " metrics " + (s.metricsFiles() == 1 ? "file" : "files") + " and "
                + s.evaluationFiles() + " evaluation " + (s.evaluationFiles() == 1 ? "summary" : "summaries"));
        return 0;
    }
}
