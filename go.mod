module github.com/sundialdev/sundial

go 1.26.8
