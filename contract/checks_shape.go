package contract

func shapeChecks() []Check { return nil }
