using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>Adds the ingress gateway: the proxy core in gateway mode.</summary>
public static class MeshGatewayBuilderExtensions
{
    /// <summary>
    /// Adds an ingress gateway at fixed local ports (HTTP <paramref name="httpPort"/>, HTTPS
    /// <paramref name="httpsPort"/>). Gateway resources' servers on port 80 or the HTTP port are
    /// served by the HTTP listener, 443 or the HTTPS port by the HTTPS listener, as Istio's
    /// ingress gateway Service maps 80→8080 and 443→8443. The HTTPS listener terminates TLS for the
    /// Gateway servers on its ports (SNI picks the server); a SIMPLE server's missing credential is
    /// generated locally as a self-signed localhost certificate, so https://localhost:8443 works at once.
    /// <paramref name="tcpPort"/> (Istio's ingress gateway port <c>tcp</c>, 31400; null for none) carries
    /// the TCP and TLS servers of Gateways on that port (VirtualService <c>tcp</c> and <c>tls</c>
    /// routes), as Istio's <c>samples/tcp-echo</c> Gateway uses it: locally the gateway listens
    /// there while a Gateway server names the port (as on any other server port); published
    /// manifests give it a TCP listener and the Service port <c>tcp</c>.
    /// </summary>
    public static IResourceBuilder<MeshGatewayResource> AddMeshGateway(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<MeshControlPlaneResource> controlPlane,
        int httpPort = 8080,
        int httpsPort = 8443,
        int? tcpPort = 31400)
    {
        var mesh = controlPlane.Resource;
        var gateway = new MeshGatewayResource(name, mesh, builder.AppHostDirectory) { TcpPort = tcpPort };
        mesh.Gateways.Add(gateway);

        // Local HTTPS: a Gateway server whose credential does not exist yet gets a self-signed
        // localhost certificate, generated once into the control plane's data directory
        // (<data>/credentials/<name>/). Published manifests do not carry this: there, credentials are Secrets.
        controlPlane.WithEnvironment("ControlPlane__Credentials__GenerateSelfSigned", "true");

        var resource = builder.AddMeshProgram(gateway, MeshProgram.Gateway)
            .WithHttpEndpoint(port: httpPort, name: MeshGatewayResource.HttpEndpointName, isProxied: false)
            // The HTTPS listener terminates TLS with the Gateway servers' own credentials, never with
            // the ASP.NET Core developer certificate. Declared "https", Aspire would assume it serves
            // that certificate and show "No trusted development certificate" on every first run; to
            // Aspire it is a TCP port (nothing else reads its scheme), shown with its https URL.
            .WithEndpoint(port: httpsPort, scheme: "tcp", name: MeshGatewayResource.HttpsEndpointName, isProxied: false)
            .WithUrlForEndpoint(MeshGatewayResource.HttpsEndpointName, url =>
            {
                url.Url = new UriBuilder(url.Url) { Scheme = Uri.UriSchemeHttps }.Uri.ToString();
                url.DisplayText = "https (Gateway servers' certificates)";
            })
            .WithHttpEndpoint(name: MeshGatewayResource.AdminEndpointName, isProxied: false)
            .WithUrlForEndpoint(MeshGatewayResource.AdminEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithMeshReadinessCheck("/ready", MeshGatewayResource.AdminEndpointName)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                MeshGatewayEnvironment.SetNode(env, mesh, gateway.Name, gateway.Namespace, "127.0.0.1", gateway.Labels);
                env["Mesh__AdminPort"] = gateway.GetEndpoint(MeshGatewayResource.AdminEndpointName).Property(EndpointProperty.Port);
                env["Mesh__Gateway__Listeners__0__Port"] = httpPort.ToString(CultureInfo.InvariantCulture);
                env["Mesh__Gateway__Listeners__0__ServicePort"] = "80";
                env["Mesh__Gateway__Listeners__0__Protocol"] = "HTTP";
                env["Mesh__Gateway__Listeners__1__Port"] = httpsPort.ToString(CultureInfo.InvariantCulture);
                env["Mesh__Gateway__Listeners__1__ServicePort"] = "443";
                env["Mesh__Gateway__Listeners__1__Protocol"] = "HTTPS";
            })
            .WaitFor(controlPlane);
        // Locally the TCP port is not a configured listener: the gateway opens it live while a
        // Gateway server names it (docs/tcp.md §4), so a Gateway API Gateway on 31400 — which gets a
        // gateway process of its own — can have the port when no Istio Gateway uses it. The
        // endpoint shows it on the dashboard; published manifests configure the listener.
        if (tcpPort is { } port)
        {
            resource.WithEndpoint(port: port, scheme: "tcp", name: MeshGatewayResource.TcpEndpointName, isProxied: false);
        }

        return resource;
    }
}
