package main

import (
	"context"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

func Hello(ctx workflow.Context, name string) (string, error) { return "hello " + name, nil }

func main() {
	c, err := client.Dial(context.Background(), client.Options{})
	if err != nil {
		panic(err)
	}
	w := worker.New(c, "q", worker.Options{})
	_ = w.RegisterWorkflow(Hello)
	_ = w.Run(context.Background())
}
