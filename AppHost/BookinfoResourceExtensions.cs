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
}
