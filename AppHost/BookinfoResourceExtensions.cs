namespace Mesh.AppHost;

/// <summary>Wiring that Aspire's WithReference cannot express in one call.</summary>
internal static class BookinfoResourceExtensions
{
    /// <summary>
    /// Makes a Kestrel endpoint named <paramref name="kestrelName"/> listen on the target port
    /// of the Aspire endpoint <paramref name="endpointName"/> with the given protocols. Needed for
    /// h2c (gRPC over cleartext needs an Http2-only endpoint); once any Kestrel endpoint is
    /// configured Kestrel ignores ASPNETCORE_URLS, so every endpoint of the project must use this.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithKestrelEndpoint(
        this IResourceBuilder<ProjectResource> builder, string endpointName, string kestrelName, string protocols)
    {
        var endpoint = builder.GetEndpoint(endpointName);
        return builder
            .WithEnvironment($"Kestrel__Endpoints__{kestrelName}__Url",
                ReferenceExpression.Create($"http://localhost:{endpoint.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment($"Kestrel__Endpoints__{kestrelName}__Protocols", protocols)
            // Kestrel would ignore it (with a warning at every start): the endpoints above win.
            .WithEnvironment(context => context.EnvironmentVariables.Remove("ASPNETCORE_URLS"));
    }

    /// <summary>
    /// One logical service backed by several resources (reviews = reviews-v1, -v2, -v3):
    /// services__{name}__http__{i} lists every instance's http endpoint, so service discovery
    /// balances across them, and the consumer waits for all of them.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceReference(
        this IResourceBuilder<ProjectResource> builder, string serviceName, IReadOnlyList<IResourceBuilder<ProjectResource>> instances)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            builder.WithEnvironment($"services__{serviceName}__http__{i}", instances[i].GetEndpoint("http"))
                .WithReferenceRelationship(instances[i])
                .WaitFor(instances[i]);
        }

        return builder;
    }
}
