// Refuses a package that is not a Java package name. The archetype plugin checks nothing in batch
// mode (validationRegex applies only to interactive prompts) and offers no hook before it writes,
// so this runs after generation: it deletes the project directory this generation created (the
// plugin refuses to generate into an existing one) and fails the build with what is wrong.
import javax.lang.model.SourceVersion
import java.nio.file.Files
import java.nio.file.Path
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
    if (Files.exists(project)) {
        Files.walk(project).sorted(Comparator.reverseOrder()).forEach { Files.delete(it) }
    }
    throw new IllegalArgumentException(
        "Invalid -Dpackage=${pkg}: ${problems.unique().join('; ')}. A package is Java identifiers " +
        "separated by dots, e.g. -Dpackage=com.example.moons. Nothing is left of the project: ${project} was deleted.")
}
