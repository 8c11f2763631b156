// archetype:generate with -Dpackage=org.example.int failed (invoker.buildResult), said why, and left nothing.
String log = new File(basedir, 'build.log').text
assert log.contains("Invalid -Dpackage=org.example.int: 'int' is a Java keyword or literal") : 'the error must name the package and the keyword'
assert !new File(basedir, 'bad-moons').exists() : 'nothing may be left of the project'
