package client

//go:generate go run ../internal/gen/errcodes -o errors_gen.go
