package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// subcommandFlags is the flag set of an offline sub-command (check, backup):
// errors and usage (usage's text, then the flags) go to stderr.
func subcommandFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usage+"\n\nFlags:\n")
		flags.PrintDefaults()
	}
	return flags
}

// parseSubcommand parses args; when the command should not go on it returns
// false with the exit code (help asked for, or bad flags).
func parseSubcommand(flags *flag.FlagSet, args []string) (int, bool) {
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return exitOK, true
}
