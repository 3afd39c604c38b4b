package client

//go:generate go run ../internal/gen/errcodes -o errors_gen.go
//go:generate go run ../internal/gen/clientdoc -o document_gen.go
