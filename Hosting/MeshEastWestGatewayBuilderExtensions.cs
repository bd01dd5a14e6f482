using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Hosting;

/// <summary>Adds Istio's east-west gateway: the gateway program that joins the mesh's network to others (docs/vm.md §5).</summary>
public static class MeshEastWestGatewayBuilderExtensions
{
    /// <summary>
    /// Adds the east-west gateway of the control plane's network <paramref name="network"/> (which it
    /// sets as the control plane's <c>ControlPlane__Network</c>, so the local workloads are on it):
    /// labelled <c>istio: eastwestgateway</c> and <c>topology.istio.io/network: &lt;network&gt;</c>,
    /// listening on <paramref name="port"/> for Istio's cross-network server (15443, AUTO_PASSTHROUGH:
    /// mTLS forwarded by SNI, never terminated) and on <paramref name="controlPlanePort"/> for the control
    /// plane's discovery/CA port (Istio's "expose istiod"). Once the control plane is ready, the
    /// cross-network Gateway and the <c>istiod-gateway</c> Gateway and VirtualService are applied through
    /// its admin API in <c>istio-system</c>. Proxies on other networks find the gateway by its labels and
    /// reach this network's endpoints through it; a VM's <c>meshctl workload entry configure --ingressIP</c>
    /// names its address. It listens on 127.0.0.1 unless <see cref="WithBindAddress"/> says otherwise.
    /// </summary>
    public static IResourceBuilder<MeshEastWestGatewayResource> AddMeshEastWestGateway(
        this IDistributedApplicationBuilder builder,
        [ResourceName] string name,
        IResourceBuilder<MeshControlPlaneResource> controlPlane,
        string network,
        int port = 15443,
        int controlPlanePort = 15012)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(controlPlane);
        ArgumentException.ThrowIfNullOrWhiteSpace(network);
        var mesh = controlPlane.Resource;
        if (mesh.Network is { } existing && existing != network)
        {
            throw new DistributedApplicationException(
                $"The control plane '{mesh.Name}' is already on network '{existing}': an east-west gateway serves the control plane's network, so '{name}' cannot serve '{network}'.");
        }

        mesh.Network = network;
        // Istio's 15012 is TLS: the control plane also serves discovery and the CA over TLS with a certificate
        // from its CA (a free port; the local sidecars keep the plaintext loopback listener), and the gateway's
        // 15012 forwards to that listener, so a VM's token never crosses the network in clear (docs/vm.md §5).
        controlPlane.WithEnvironment("ControlPlane__DiscoveryTls__Port", "0");
        var gateway = new MeshEastWestGatewayResource(name, mesh, network, builder.AppHostDirectory)
        {
            Port = port,
            ExposedControlPlanePort = controlPlanePort,
        };

        builder.Eventing.Subscribe<ResourceReadyEvent>(mesh, async (ready, cancellationToken) =>
        {
            var logger = ready.Services.GetRequiredService<ResourceLoggerService>().GetLogger(gateway);
            var outcome = await ApplyConfigAsync(gateway, cancellationToken);
            if (outcome.Succeeded)
            {
                logger.LogInformation("Applied the east-west gateway's Gateways and VirtualService in {Namespace} (generation {Generation}).", gateway.Namespace, outcome.Generation);
            }
            else
            {
                logger.LogError("The control plane refused the east-west gateway's configuration: {Message}", outcome.Message);
            }
        });

        return builder.AddMeshProgram(gateway, MeshProgram.Gateway)
            .WithEndpoint(port: port, scheme: "tcp", name: MeshEastWestGatewayResource.CrossNetworkEndpointName, isProxied: false)
            .WithEndpoint(port: controlPlanePort, scheme: "tcp", name: MeshEastWestGatewayResource.ControlPlaneEndpointName, isProxied: false)
            .WithHttpEndpoint(name: MeshEastWestGatewayResource.AdminEndpointName, isProxied: false)
            .WithUrlForEndpoint(MeshEastWestGatewayResource.AdminEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithMeshReadinessCheck("/ready", MeshEastWestGatewayResource.AdminEndpointName)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                // Its node address is where the other networks reach it: discovered east-west gateways are addressed by it.
                MeshGatewayEnvironment.SetNode(env, mesh, gateway.Name, gateway.Namespace, gateway.BindAddress, gateway.Labels);
                env["Mesh__BindAddress"] = gateway.BindAddress;
                env["Mesh__AdminPort"] = gateway.GetEndpoint(MeshEastWestGatewayResource.AdminEndpointName).Property(EndpointProperty.Port);
                env["Mesh__Gateway__Listeners__0__Port"] = port.ToString(CultureInfo.InvariantCulture);
                env["Mesh__Gateway__Listeners__0__ServicePort"] = MeshEastWestGatewayResource.CrossNetworkPort.ToString(CultureInfo.InvariantCulture);
                env["Mesh__Gateway__Listeners__1__Port"] = controlPlanePort.ToString(CultureInfo.InvariantCulture);
                env["Mesh__Gateway__Listeners__1__ServicePort"] = MeshEastWestGatewayResource.ControlPlanePort.ToString(CultureInfo.InvariantCulture);
            })
            .WaitFor(controlPlane);
    }

    /// <summary>
    /// Binds the gateway's listeners (and its admin port) to <paramref name="address"/> instead of
    /// 127.0.0.1, and tells the control plane that other networks reach it there. This is what lets
    /// another network (a VM's) in, so it is never the default: name the address of the interface
    /// that network reaches (for the VM script, the bridge address: docs/vm.md §6). <c>0.0.0.0</c> is
    /// refused: the control plane needs one address to send other networks' proxies to.
    /// </summary>
    public static IResourceBuilder<MeshEastWestGatewayResource> WithBindAddress(
        this IResourceBuilder<MeshEastWestGatewayResource> builder, string address)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IPAddress.TryParse(address, out var parsed))
        {
            throw new ArgumentException($"The east-west gateway's bind address must be an IP address (got '{address}').", nameof(address));
        }

        if (parsed.Equals(IPAddress.Any) || parsed.Equals(IPAddress.IPv6Any))
        {
            throw new ArgumentException($"The east-west gateway's bind address must be one interface's address, not '{address}': other networks' proxies are sent to it.", nameof(address));
        }

        builder.Resource.BindAddress = parsed.ToString();
        // Aspire addresses a proxy-less endpoint at its target host: the dashboard's URLs and the
        // readiness check then use the address the gateway listens on.
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>())
        {
            endpoint.TargetHost = builder.Resource.BindAddress;
        }

        return builder;
    }

    /// <summary>Applies the gateway's Istio configuration through the control plane's admin API.</summary>
    internal static async Task<MeshAdminApi.Outcome> ApplyConfigAsync(MeshEastWestGatewayResource gateway, CancellationToken cancellationToken)
    {
        using var api = new MeshAdminApi(gateway.ControlPlane);
        try
        {
            return await api.ApplyAsync(MeshEastWestGatewayConfig.Yaml(gateway), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new MeshAdminApi.Outcome(false, ex.Message);
        }
    }
}
