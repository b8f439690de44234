package main

// version is the release this binary was built from. Release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = "dev"
