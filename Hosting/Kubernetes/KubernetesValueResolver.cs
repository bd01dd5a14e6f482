using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Turns the values an AppHost puts into a project's environment (strings, reference expressions,
/// endpoint references, parameters) into their Kubernetes values: an endpoint of the app itself is
/// its fixed container port on localhost, one of its sidecar is the sidecar's fixed port on
/// loopback (the same pod), one of another meshed service is that Service's DNS name and port.
/// Values that cannot exist on a cluster (resources that are not published, secret parameters)
/// are errors that name the variable, never a silently wrong manifest.
/// </summary>
internal sealed class KubernetesValueResolver(MeshPublishModel model)
{
    private const string Loopback = "127.0.0.1";

    public async Task<string> ResolveAsync(object? value, MeshWorkload consumer, CancellationToken cancellationToken) => value switch
    {
        null => "",
        string text => text,
        ReferenceExpression expression => await ResolveExpressionAsync(expression, consumer, cancellationToken),
        EndpointReference endpoint => Endpoint(endpoint, EndpointProperty.Url, consumer),
        EndpointReferenceExpression property => Endpoint(property.Endpoint, property.Property, consumer),
        ParameterResource parameter => await ParameterAsync(parameter, cancellationToken),
        IResourceWithConnectionString resource => throw new NotSupportedException(
            $"the connection string of '{resource.Name}' cannot be published: Mesh publishes only the mesh, its workloads and gateways"),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IValueProvider provider => await provider.GetValueAsync(cancellationToken) ?? "",
        _ => value.ToString() ?? "",
    };

    private async Task<string> ResolveExpressionAsync(ReferenceExpression expression, MeshWorkload consumer, CancellationToken cancellationToken)
    {
        if (expression.IsConditional)
        {
            var condition = await ResolveAsync(expression.Condition, consumer, cancellationToken);
            var branch = string.Equals(condition, expression.MatchValue, StringComparison.OrdinalIgnoreCase) ? expression.WhenTrue : expression.WhenFalse;
            return await ResolveAsync(branch, consumer, cancellationToken);
        }

        var values = new object[expression.ValueProviders.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var text = await ResolveAsync(expression.ValueProviders[i], consumer, cancellationToken);
            var format = i < expression.StringFormats.Count ? expression.StringFormats[i] : null;
            values[i] = format == "uri" ? Uri.EscapeDataString(text) : text;
        }

        return string.Format(CultureInfo.InvariantCulture, expression.Format, values);
    }

    private static async Task<string> ParameterAsync(ParameterResource parameter, CancellationToken cancellationToken)
    {
        if (parameter.Secret)
        {
            throw new NotSupportedException(
                $"the secret parameter '{parameter.Name}' would be written into a manifest in clear text; pass it through a Kubernetes Secret instead");
        }

        return await parameter.GetValueAsync(cancellationToken) ?? "";
    }

    private string Endpoint(EndpointReference endpoint, EndpointProperty property, MeshWorkload consumer)
    {
        var (host, port, targetPort) = Locate(endpoint, consumer);
        var scheme = endpoint.EndpointAnnotation.UriScheme;
        return property switch
        {
            EndpointProperty.Url => $"{scheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port => port.ToString(CultureInfo.InvariantCulture),
            EndpointProperty.TargetPort => targetPort.ToString(CultureInfo.InvariantCulture),
            EndpointProperty.Scheme => scheme,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.TlsEnabled => endpoint.EndpointAnnotation.TlsEnabled ? bool.TrueString : bool.FalseString,
            _ => throw new NotSupportedException($"endpoint property {property} of '{endpoint.Resource.Name}'"),
        };
    }

    private (string Host, int Port, int TargetPort) Locate(EndpointReference endpoint, MeshWorkload consumer)
    {
        var owner = endpoint.Resource;
        var name = endpoint.EndpointName;
        if (owner == consumer.App)
        {
            var port = model.Plans[consumer].AppPorts[name];
            return ("localhost", port, port);
        }

        if (owner is MeshSidecarResource sidecar && consumer.Sidecars.Contains(sidecar))
        {
            var port = model.Plans[consumer].SidecarPort(name)
                ?? throw new NotSupportedException($"the sidecar endpoint '{name}' of '{owner.Name}' has no Kubernetes port");
            return (Loopback, port, port);
        }

        if (model.Plans.Keys.FirstOrDefault(w => w.App == owner) is { } other)
        {
            // Reached directly, not through the mesh: the Service still routes to the sidecar's inbound port.
            var service = model.Services[KubernetesNames.Sanitize(other.AppLabel)];
            var servicePort = service.Find(name)
                ?? throw new NotSupportedException($"the endpoint '{name}' of '{owner.Name}' is not a port of the mesh service '{service.Name}'");
            return (service.Name, servicePort.Port.Port, model.Plans[other].AppPorts[name]);
        }

        if (owner == model.Mesh)
        {
            var port = name == MeshControlPlaneResource.GrpcEndpointName ? KubernetesPorts.ControlPlaneGrpc : KubernetesPorts.ControlPlaneAdmin;
            return (model.ControlPlaneHost, port, port);
        }

        if (owner is MeshGatewayResource gateway)
        {
            var (port, target) = name switch
            {
                MeshGatewayResource.HttpEndpointName => (80, KubernetesPorts.GatewayHttp),
                MeshGatewayResource.HttpsEndpointName => (443, KubernetesPorts.GatewayHttps),
                _ => (KubernetesPorts.ProxyAdmin, KubernetesPorts.ProxyAdmin),
            };
            return ($"{KubernetesNames.Sanitize(gateway.Name)}.{model.Options.Namespace}.svc", port, target);
        }

        throw new NotSupportedException(
            $"'{owner.Name}' is not published to Kubernetes (Mesh publishes the control plane, meshed workloads and gateways), so its endpoint '{name}' has no address there");
    }
}
