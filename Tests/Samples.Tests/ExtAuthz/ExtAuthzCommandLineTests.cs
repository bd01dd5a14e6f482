using Envoy.Service.Auth.V3;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Samples.ExtAuthz;
using Samples.Tests.Infrastructure;

namespace Samples.Tests.ExtAuthz;

public sealed class ExtAuthzCommandLineTests
{
    [Fact]
    public async Task The_go_samples_flags_set_the_ports_and_the_allowed_service_account()
    {
        var app = ExtAuthzApp.Build(
            ["-http", "0", "--grpc=0", "-allow_service_account", "curl", "--ExtAuthz:ListenAddress", "127.0.0.1"],
            builder => builder.With());
        await app.StartAsync();
        try
        {
            var endpoints = app.Services.GetRequiredService<ExtAuthzEndpoints>();
            using var channel = GrpcChannel.ForAddress($"http://{endpoints.Grpc}");
            var request = new CheckRequest
            {
                Attributes = new AttributeContext { Source = new AttributeContext.Types.Peer { Principal = "spiffe://cluster.local/ns/foo/sa/curl" } },
            };

            var response = await new Authorization.AuthorizationClient(channel).CheckAsync(request);

            Assert.NotEqual(0, endpoints.Http.Port);
            Assert.Null(endpoints.Health);
            Assert.Equal(0, response.Status.Code);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(new[] { "-http" }, "flag needs an argument: -http")]
    [InlineData(new[] { "-http", "80x" }, "ExtAuthz:HttpPort: '80x' is not a port (0-65535)")]
    [InlineData(new[] { "-http", "9000" }, "ExtAuthz:GrpcPort: port 9000 is also ExtAuthz:HttpPort")]
    [InlineData(new[] { "-http", "8000", "--ExtAuthz:HealthPort", "8000" }, "ExtAuthz:HealthPort: port 8000 is also ExtAuthz:HttpPort")]
    [InlineData(new[] { "-h" }, "Usage of extauthz:")]
    public void Invalid_flags_and_settings_are_refused_with_a_message_naming_them(string[] args, string message)
    {
        var error = Assert.ThrowsAny<Exception>(() => ExtAuthzApp.Build(args));

        Assert.Equal("SampleConfigurationException", error.GetType().Name);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
