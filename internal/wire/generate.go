package wire

//go:generate go run ../gen/clientdoc -wire -package wire -o path_gen.go
