// Package bench holds the evidence for the module's performance claims, in a module of its own
// so that the main module never depends on an official SDK.
//
// Its tests and benchmarks compare the client of github.com/es-openapi/interrupt with the raw
// net/http floor, Alibaba Cloud's official darabonba SDK (elasticsearch-20170613/v3) and the
// older aliyun/alibaba-cloud-sdk-go, call by call against one loopback server, and signing
// alone against the official openapi-util functions. cmd/benchtable turns `go test -bench`
// output into a table with ratios; cmd/load measures the reference server under load. See
// README.md for the figures and the commands.
package bench
