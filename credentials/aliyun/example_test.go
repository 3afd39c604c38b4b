package aliyun_test

import (
	"context"
	"fmt"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/credentials/aliyun"
)

// A client signing with whatever Alibaba Cloud's default credential chain finds: environment
// variables, OIDC (RRSA), the aliyun CLI's profile, the ECS RAM role.
func ExampleDefaultChain() {
	c, err := client.New(client.Config{RegionID: "cn-hangzhou", Credentials: aliyun.DefaultChain()})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Result, res.RequestID)
}

// The profile "prod" of ~/.aliyun/config.json.
func ExampleCLIProfile() {
	creds, err := aliyun.CLIProfile("", "prod")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = client.New(client.Config{RegionID: "cn-hangzhou", Credentials: creds})
}

// An ECS instance's RAM role, named rather than looked up, with IMDSv2 only.
func ExampleNew() {
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().
		WithRoleName("EsInterruptRole").
		WithDisableIMDSv1(true).
		Build()
	if err != nil {
		fmt.Println(err) // for one, ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
		return
	}
	_, _ = client.New(client.Config{RegionID: "cn-hangzhou", Credentials: aliyun.New(p)})
}
