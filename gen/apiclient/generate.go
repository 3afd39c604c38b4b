package apiclient

//go:generate go tool oapi-codegen --config=cfg.yaml ../../spec/openapi.yaml
