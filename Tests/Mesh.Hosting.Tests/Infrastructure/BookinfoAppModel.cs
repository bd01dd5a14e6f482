using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>
/// Bookinfo declared the way an AppHost declares it with the mesh (the shape of
/// <c>AppHost/AppHost.cs</c>): details, ratings (HTTP + h2c gRPC), reviews v1–v3 behind one service, productpage,
/// and the ingress gateway. Tests publish it with the real pipeline step.
/// </summary>
internal static class BookinfoAppModel
{
    public static IDistributedApplicationBuilder Create(string configDirectory, params string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = args,
            DisableDashboard = true,
            AssemblyName = typeof(BookinfoAppModel).Assembly.GetName().Name,
        });

        var mesh = builder.AddMeshControlPlane("controlplane")
            .WithConfigDirectory(configDirectory)
            .WithServiceAccountPrefix("bookinfo-")
            .WithDefaultServicePort(9080);

        var details = builder.AddProject("details", Project("Details/Bookinfo.Details.csproj"), launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithReplicas(2)
            .WithSidecar(mesh, app: "details");

        var ratings = builder.AddProject("ratings", Project("Ratings/Bookinfo.Ratings.csproj"), launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpEndpoint(name: "grpc")
            .WithKestrelEndpoint("http", "Http", "Http1")
            .WithKestrelEndpoint("grpc", "Grpc", "Http2")
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithSidecar(mesh, app: "ratings")
            .WithServicePort("grpc", 9090);

        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            var reviews = builder.AddProject($"reviews-{version}", Project("Reviews/Bookinfo.Reviews.csproj"), launchProfileName: null)
                .WithHttpEndpoint(name: "http")
                .WithEnvironment("REVIEWS_VERSION", version)
                .WithHttpHealthCheck("/health")
                .WithSidecar(mesh, app: "reviews", version: version);
            if (version != "v1")
            {
                reviews.WithMeshReference(ratings);
            }
        }

        builder.AddProject("productpage", Project("ProductPage/Bookinfo.ProductPage.csproj"), launchProfileName: null)
            .WithHttpEndpoint(port: 9080, name: "http")
            .WithHttpHealthCheck("/health")
            .WithSidecar(mesh, app: "productpage")
            .WithMeshReference("reviews")
            .WithMeshReference(details);

        builder.AddMeshGateway("ingressgateway", mesh);
        _ = details;
        return builder;
    }

    private static string Project(string relative) => RepositoryPaths.Project(Path.Combine("SampleApps", relative));

    // The AppHost's way to give a project an h2c endpoint (Kestrel endpoints on the target port).
    private static IResourceBuilder<ProjectResource> WithKestrelEndpoint(
        this IResourceBuilder<ProjectResource> builder, string endpointName, string kestrelName, string protocols)
    {
        var endpoint = builder.GetEndpoint(endpointName);
        return builder
            .WithEnvironment($"Kestrel__Endpoints__{kestrelName}__Url", ReferenceExpression.Create($"http://localhost:{endpoint.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment($"Kestrel__Endpoints__{kestrelName}__Protocols", protocols)
            .WithEnvironment(context => context.EnvironmentVariables.Remove("ASPNETCORE_URLS"));
    }
}
