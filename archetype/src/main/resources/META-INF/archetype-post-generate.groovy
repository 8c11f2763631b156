// Refuses a package that is not a Java package name. The archetype plugin checks nothing in batch
// mode (validationRegex applies only to interactive prompts) and offers no hook before it writes,
// so this runs after generation and removes what this generation wrote: every file and directory
// under the project directory written since this Maven process started (the plugin refuses a
// directory with a pom.xml in it; files that were there before are left alone), then fails the
// build saying what is wrong.
import javax.lang.model.SourceVersion
import java.nio.file.Files
import java.nio.file.Path
import java.lang.management.ManagementFactory
import java.nio.file.attribute.FileTime
import java.util.Comparator

String pkg = request.properties.getProperty('package')
List<String> problems = []
if (pkg == null || pkg.isEmpty()) {
    problems << 'it is empty'
} else {
    pkg.split('\\.', -1).each { String part ->
        if (part.isEmpty()) {
            problems << "it has an empty part (a leading, trailing or doubled '.')"
        } else if (SourceVersion.isKeyword(part)) {
            problems << "'${part}' is a Java keyword or literal"
        } else if (!SourceVersion.isIdentifier(part)) {
            problems << "'${part}' is not a Java identifier (letters, digits, _ and \$, not starting with a digit)"
        }
    }
}
if (!problems.isEmpty()) {
    Path project = Path.of(request.outputDirectory, request.artifactId)
    FileTime started = FileTime.fromMillis(ManagementFactory.runtimeMXBean.startTime)
    if (Files.exists(project)) {
        // Deepest first, so a directory is empty once what was written into it is gone.
        Files.walk(project).sorted(Comparator.reverseOrder()).forEach { Path path ->
            boolean written = Files.getLastModifiedTime(path) >= started
            if (written && (!Files.isDirectory(path) || !Files.list(path).withCloseable { it.findAny().isPresent() })) {
                Files.delete(path)
            }
        }
    }
    String left = Files.exists(project) ? "the files that were in ${project} before are kept, what it generated there was deleted" : "${project} was deleted"
    throw new IllegalArgumentException(
        "Invalid -Dpackage=${pkg}: ${problems.unique().join('; ')}. A package is Java identifiers " +
        "separated by dots, e.g. -Dpackage=com.example.moons. Nothing generated is left: ${left}.")
}
