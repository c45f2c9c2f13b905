import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.sourceforge.pmd.PMDConfiguration;
import net.sourceforge.pmd.PmdAnalysis;
import net.sourceforge.pmd.reporting.Report;
import net.sourceforge.pmd.reporting.RuleViolation;

/**
 * PMD over the Apex (.cls, .trigger) under a directory: java RunPmd.java RULESET... DIRECTORY.
 * Prints "file:line rule message" per finding and exits 1 on any violation or error (the PMD jars
 * ship without pmd-cli, so this is the command line). Run by scripts/run-pmd.js.
 */
public class RunPmd {
    public static void main(String[] args) throws Exception {
        PMDConfiguration config = new PMDConfiguration();
        config.setIgnoreIncrementalAnalysis(true);
        for (int i = 0; i < args.length - 1; i++) config.addRuleSet(args[i]);
        try (Stream<Path> files = Files.walk(Path.of(args[args.length - 1]))) {
            files.filter(p -> p.toString().endsWith(".cls") || p.toString().endsWith(".trigger")).sorted().forEach(config::addInputPath);
        }
        int problems;
        try (PmdAnalysis pmd = PmdAnalysis.create(config)) {
            Report report = pmd.performAnalysisAndCollectReport();
            for (RuleViolation v : report.getViolations())
                System.out.println(v.getFileId().getOriginalPath() + ":" + v.getBeginLine() + " " + v.getRule().getName() + " " + v.getDescription());
            for (Report.ProcessingError e : report.getProcessingErrors())
                System.out.println(e.getFileId().getOriginalPath() + ": processing error: " + e.getMsg());
            for (Report.ConfigurationError e : report.getConfigurationErrors())
                System.out.println("configuration error in " + e.rule().getName() + ": " + e.issue());
            problems = report.getViolations().size() + report.getProcessingErrors().size()
                + report.getConfigurationErrors().size() + pmd.getReporter().numErrors();
        }
        System.exit(problems == 0 ? 0 : 1);
    }
}
