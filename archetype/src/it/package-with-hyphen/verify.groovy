// archetype:generate with -Dpackage=my-app.1x failed (invoker.buildResult), said why, and left nothing.
String log = new File(basedir, 'build.log').text
assert log.contains("Invalid -Dpackage=my-app.1x: 'my-app' is not a Java identifier") : 'the error must name the package and its bad part'
assert log.contains("'1x' is not a Java identifier")
assert !new File(basedir, 'bad-moons').exists() : 'nothing may be left of the project'
