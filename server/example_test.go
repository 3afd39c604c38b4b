package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/server"
)

// A reference server in-process: seed an instance that is applying a change, interrupt it, and
// see that a second interrupt is refused.
func Example() {
	srv, err := server.New(server.Config{
		Instances: map[string]server.Status{"es-cn-example": server.StatusActivating},
	})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	for range 2 {
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/openapi/instances/es-cn-example/actions/interrupt", nil)
		if err != nil {
			panic(err)
		}
		req.Header.Set("Accept", "application/json") // without Accept the response is XML, the service's default
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var body struct {
			models.InterruptElasticsearchTaskResult
			Code string
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			panic(err)
		}
		res.Body.Close()
		if body.Code == "" {
			fmt.Println(res.StatusCode, body.Result)
		} else {
			fmt.Println(res.StatusCode, body.Result, body.Code)
		}
	}
	st, _ := srv.Instance("es-cn-example")
	fmt.Println(st, srv.Transitions())
	// Output:
	// 200 true
	// 400 false AlreadyReceivedInterruptSignal
	// suspended 1
}
