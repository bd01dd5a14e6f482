using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Tests.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Tests.Unit;

/// <summary>How features plug into the core: the declared stage kinds hold, and snapshot parts nobody serves are refused.</summary>
public sealed class FeatureModuleTests
{
    [Fact]
    public void A_snapshot_field_no_registered_feature_serves_is_rejected_naming_it()
    {
        var options = new MeshProxyOptions { Node = { Workload = "productpage-v1" } };
        var snapshot = new ProxySnapshot { Version = "1" };
        snapshot.GatewayServers.Add(GatewaySnapshots.HttpServer("http", 80, ["bookinfo.com"]));

        var withoutGateway = new SnapshotTranslator(ListenerSet.Create(options), Options.Create(options), []).Translate(snapshot);
        var withGateway = new SnapshotTranslator(ListenerSet.Create(options), Options.Create(options), [], [new GatewayTranslator()]).Translate(snapshot);

        Assert.False(withoutGateway.Succeeded);
        Assert.Equal("gateway_servers: this proxy has no feature that serves it", Assert.Single(withoutGateway.Errors.All));
        Assert.True(withGateway.Succeeded, withGateway.Errors.ToNackReason());
    }

    [Fact]
    public void A_contribution_to_a_stage_of_another_kind_fails_at_registration()
    {
        var builder = WebApplication.CreateBuilder();
        var proxy = builder.AddMeshProxy(MeshProxyMode.Sidecar);

        var error = Assert.Throws<InvalidOperationException>(() => proxy.AddFeature(new MiddlewareAtRouteFilterStage()));

        Assert.Contains("Fault", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_feature_is_registered_once()
    {
        var proxy = WebApplication.CreateBuilder().AddMeshProxy(MeshProxyMode.Gateway).AddFeature<GatewayFeature>();

        Assert.Throws<InvalidOperationException>(() => proxy.AddFeature<GatewayFeature>());
    }

    private sealed class MiddlewareAtRouteFilterStage : IProxyFeatureModule
    {
        public void Register(ProxyFeatureBuilder feature) => feature.AddMiddleware<PassThrough>(ProxyStage.Fault);
    }

    private sealed class PassThrough(RequestDelegate next)
    {
        public Task InvokeAsync(HttpContext context) => next(context);
    }
}
