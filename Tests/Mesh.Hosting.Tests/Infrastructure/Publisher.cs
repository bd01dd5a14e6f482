using Aspire.Hosting;

namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>Runs an app model's <c>publish-kubernetes</c> step the way the command line does.</summary>
internal static class Publisher
{
    public static string[] Args(string outputPath, params string[] extra) =>
        ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", outputPath, .. extra];

    public static async Task PublishAsync(IDistributedApplicationBuilder builder)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var app = builder.Build();
        await app.RunAsync(timeout.Token);
    }
}
