using Mesh.Hosting.ApplicationModel;

namespace Mesh.AppHost;

/// <summary>Wiring that Aspire's WithReference cannot express in one call.</summary>
internal static class BookinfoResourceExtensions
{
    /// <summary>
    /// The app serves plain HTTP to its sidecar (the sidecar does mTLS with the mesh's own
    /// certificates), so it needs no ASP.NET Core developer certificate. Aspire 13 gives every
    /// project an HTTPS certificate configuration by default and, for it, shows "No trusted
    /// development certificate" in the dashboard on a machine without a trusted one — a banner
    /// about a certificate nothing here uses. Without that configuration there is no banner.
    /// </summary>
    /// <remarks>WithoutHttpsCertificate is experimental in Aspire 13.6 (ASPIRECERTIFICATES001); suppressed here only.</remarks>
    public static IResourceBuilder<ProjectResource> PlaintextBehindSidecar(this IResourceBuilder<ProjectResource> builder)
    {
#pragma warning disable ASPIRECERTIFICATES001
        return builder.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
    }

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
    /// Starts the workload's sidecars, and so the app that waits for them, once <paramref name="first"/>
    /// is healthy: on a machine with few cores the processes that start at once share them, and
    /// Bookinfo's path (what a developer edits and opens) comes up first when the workloads of
    /// Istio's other tasks start after it. Everything still starts; only the order changes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> StartsAfter(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResource> first)
    {
        foreach (var sidecar in builder.ApplicationBuilder.Resources.OfType<MeshSidecarResource>().Where(s => s.Parent == builder.Resource).ToList())
        {
            builder.ApplicationBuilder.CreateResourceBuilder(sidecar).WaitFor(first);
        }

        return builder.WaitFor(first);
    }
}
