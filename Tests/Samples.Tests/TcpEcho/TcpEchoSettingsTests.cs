using System.Net;
using Samples.TcpEcho;
using Samples.Tests.Infrastructure;

namespace Samples.Tests.TcpEcho;

public sealed class TcpEchoSettingsTests
{
    [Theory]
    [InlineData(new[] { "9000" }, "you should run it like: 'main [PORTS...] prefix'")]
    [InlineData(new[] { "9000", "one", "extra" }, "you should run it like: 'main [PORTS...] prefix'")]
    [InlineData(new[] { "90x0", "one" }, "TcpEcho:Ports: '90x0' is not a port (0-65535)")]
    [InlineData(new[] { "9000,70000", "one" }, "TcpEcho:Ports: '70000' is not a port (0-65535)")]
    [InlineData(new[] { "9000,", "one" }, "TcpEcho:Ports: '' is not a port (0-65535)")]
    [InlineData(new[] { "9000,9000", "one" }, "TcpEcho:Ports: port 9000 is also TcpEcho:Ports")]
    [InlineData(new[] { "9000", "one", "--TcpEcho:HealthPort", "9000" }, "TcpEcho:HealthPort: port 9000 is also TcpEcho:Ports")]
    [InlineData(new[] { "9000", "one", "--TcpEcho:ListenAddress", "example.com" }, "TcpEcho:ListenAddress: 'example.com' is not an IP address, 'localhost' or '*'")]
    [InlineData(new[] { "0", "one", "--TcpEcho:ListenAddress", "localhost" }, "TcpEcho:Ports: port 0 (any free port) needs an IP address in TcpEcho:ListenAddress, not 'localhost'")]
    [InlineData(new[] { "9000", "one", "--TcpEcho:MaxBufferedLineBytes", "0" }, "TcpEcho:MaxBufferedLineBytes: '0' is not a whole number from 1 to 262144")]
    public void Invalid_arguments_and_settings_are_refused_with_a_message_naming_them(string[] args, string message)
    {
        var error = Assert.ThrowsAny<Exception>(() => TcpEchoApp.Build(args));

        Assert.Equal("SampleConfigurationException", error.GetType().Name);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aspnet_options_pass_through_around_the_istio_arguments()
    {
        await using var server = await RunningTcpEcho.StartAsync(["--TcpEcho:Prefix", "ignored", "0", "three"]);
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);

        await client.SendAsync("x\n");
        client.ShutdownSend();

        Assert.Equal("three x\n", System.Text.Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Fact]
    public async Task Health_endpoints_are_served_only_when_a_health_port_is_set()
    {
        await using var without = await RunningTcpEcho.StartAsync("one");
        await using var with = await RunningTcpEcho.StartAsync("one", ("TcpEcho:HealthPort", "0"));
        using var http = new HttpClient();

        var health = await http.GetAsync($"http://{with.Endpoints.Health}/health", SampleSettings.HangGuard());
        var alive = await http.GetAsync($"http://{with.Endpoints.Health}/alive", SampleSettings.HangGuard());

        Assert.Null(without.Endpoints.Health);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
