// Package aliyun gives the client credentials from Alibaba Cloud's own credential providers,
// github.com/aliyun/credentials-go (v1.4.14): the default credential chain, a profile of the
// `aliyun` CLI's configuration file (~/.aliyun/config.json), an ECS instance's RAM role (the
// metadata service) and OIDC role assumption (RRSA on ACK), or any other provider of that
// module.
//
// It lives apart from package client so that a program that signs with static or environment
// credentials does not link credentials-go and its dependencies.
//
//	c, err := client.New(client.Config{
//		RegionID:    "cn-hangzhou",
//		Credentials: aliyun.DefaultChain(),
//	})
//
// An ECS RAM role or OIDC provider is built with credentials-go's builders and adapted with New:
//
//	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName("my-role").Build()
//	if err != nil {
//		return err
//	}
//	creds := aliyun.New(p)
//
// # Refreshing
//
// credentials-go's providers keep temporary credentials (a RAM role's, OIDC's, STS's) until at
// most 3 minutes of their validity remain and then fetch new ones; they do not report the
// expiration to their callers. A *Provider asks its provider at most once per ReuseFor (1 minute)
// and gives out the answer in between, so every credential it hands out has at least 2 minutes
// left, and the file reads and metadata requests stay off the path of every attempt.
//
// # Network
//
// The chain's ECS RAM-role provider asks the metadata service at 100.100.100.200 and the OIDC
// provider asks STS. Set ALIBABA_CLOUD_ECS_METADATA_DISABLED=true where no metadata service
// should be asked, such as in tests and CI.
package aliyun
