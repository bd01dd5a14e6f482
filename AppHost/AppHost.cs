// Bookinfo on Aspire: details, ratings, reviews v1/v2/v3 and productpage, wired by service
// discovery (no mesh yet). Dashboard: http://localhost:18888; Bookinfo: http://localhost:9080/productpage.
using Mesh.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

var details = builder.AddProject<Projects.Bookinfo_Details>("details", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health");

var ratings = builder.AddProject<Projects.Bookinfo_Ratings>("ratings", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpEndpoint(name: "grpc")
    .WithKestrelEndpoint("http", kestrelName: "Http", protocols: "Http1")
    .WithKestrelEndpoint("grpc", kestrelName: "Grpc", protocols: "Http2")
    .WithHttpHealthCheck("/health", endpointName: "http");

var reviews = new[] { "v1", "v2", "v3" }.Select(version =>
{
    var instance = builder.AddProject<Projects.Bookinfo_Reviews>($"reviews-{version}", launchProfileName: null)
        .WithHttpEndpoint(name: "http")
        .WithEnvironment("REVIEWS_VERSION", version)
        .WithHttpHealthCheck("/health");
    // v1 shows no stars and never calls ratings, as in Bookinfo. v2/v3 need not wait for
    // ratings (they degrade to "ratings unavailable"), so all of Bookinfo starts at once.
    return version == "v1" ? instance : instance.WithReference(ratings);
}).ToArray();

builder.AddProject<Projects.Bookinfo_ProductPage>("productpage", launchProfileName: null)
    .WithHttpEndpoint(port: 9080, name: "http")
    .WithExternalHttpEndpoints()
    .WithReference(details).WaitFor(details)
    .WithReference(ratings).WaitFor(ratings)
    .WithServiceReference("reviews", reviews)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
