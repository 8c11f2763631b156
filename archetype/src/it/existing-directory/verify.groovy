// archetype:generate with an invalid package into a directory that already held a file of the
// user's (no pom.xml, so the plugin generates into it): it failed, the user's file is kept, and
// nothing the generation wrote is left.
String log = new File(basedir, 'build.log').text
assert log.contains("Invalid -Dpackage=org.example.class: 'class' is a Java keyword or literal")
assert log.contains('the files that were in')
File directory = new File(basedir, 'bad-moons')
assert new File(directory, 'notes.txt').text == 'notes the user had before\n'
assert directory.list() as List == ['notes.txt'] : "left in ${directory}: ${directory.list()}"
