// The generated project: the user's coordinates and package, Kiln by its released coordinates at
// the archetype's version, nothing left of the sample's package, and its tests ran and passed.
import java.nio.file.Files

File project = new File(basedir, 'project/my-moons')
String pom = new File(project, 'pom.xml').text
def xml = new groovy.xml.XmlSlurper().parseText(pom)
assert xml.groupId.text() == 'org.example.kiln'
assert xml.artifactId.text() == 'my-moons'
assert xml.version.text() == '1.0-SNAPSHOT'
assert xml.parent.isEmpty(): 'the generated project must not have a parent pom'
assert !pom.contains('relativePath')
assert xml.properties.'kiln.version'.text() == '@project.version@'
assert xml.properties.'exec.mainClass'.text() == 'org.example.kiln.moons.MoonsAnnealingMain'
def kiln = xml.dependencies.dependency.findAll { it.groupId.text() == 'dev.kiln' }*.artifactId*.text()
assert kiln.sort() == ['kiln-dsl', 'kiln-runtime']
def processor = xml.build.plugins.plugin.configuration.annotationProcessorPaths.path
assert processor.artifactId.text() == 'kiln-processor' && processor.groupId.text() == 'dev.kiln'

File sources = new File(project, 'src/main/java/org/example/kiln/moons')
assert new File(sources, 'MoonsAnnealing.java').text.startsWith('package org.example.kiln.moons;')
assert new File(sources, 'MoonsAnnealingMain.java').isFile()
assert new File(project, 'src/test/java/org/example/kiln/moons/MoonsAnnealingTest.java').isFile()
Files.walk(project.toPath()).filter { Files.isRegularFile(it) && it.toString() =~ /\.(java|xml|md)$/ }.forEach {
    assert !it.toFile().text.contains('dev.kiln.samples') : "${it} still names the sample's package"
    assert !it.toFile().text.contains('dev/kiln/samples') : "${it} still names the sample's package directory"
    assert !it.toFile().text.contains(']]#') && !it.toFile().text.contains('#[[') : "${it} has template markers left"
}
String readme = new File(project, 'README.md').text
assert readme.startsWith('# my-moons')
assert readme.contains('](src/main/java/org/example/kiln/moons/MoonsAnnealing.java)')

// The build ran the training test: the report says it passed, with no failure.
File report = new File(project, 'target/surefire-reports/TEST-org.example.kiln.moons.MoonsAnnealingTest.xml')
assert report.isFile() : 'MoonsAnnealingTest did not run'
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() > 0 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
