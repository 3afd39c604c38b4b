package contract

func signatureWireChecks() []Check { return nil }
