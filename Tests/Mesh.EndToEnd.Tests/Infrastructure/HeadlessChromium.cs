using Microsoft.Playwright;

namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The system's Chromium driven by Playwright (nothing is downloaded; .ci/install-deps installs
/// chromium), and where the pages' screenshots go.
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing (.ci/install-deps installs chromium)");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Flags });
    }

    /// <summary>Under the test results directory CI collects (<c>artifacts/test-results</c>), or MESH_TEST_ARTIFACTS.</summary>
    public static string ArtifactPath(string fileName)
    {
        var directory = Environment.GetEnvironmentVariable("MESH_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(MeshAppFixture.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, fileName);
    }

    /// <summary>
    /// Saves a screenshot as a test artifact and, with <c>MESH_UPDATE_SCREENSHOTS=1</c>, also as the
    /// documentation's image <c>docs/images/<paramref name="fileName"/></c> (so the docs show what the
    /// tests saw, refreshed by running them).
    /// </summary>
    public static async Task<string> ScreenshotAsync(IPage page, string fileName, ILocator? element = null)
    {
        var path = ArtifactPath(fileName);
        if (element is null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }
        else
        {
            await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        }

        if (Environment.GetEnvironmentVariable("MESH_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(MeshAppFixture.RepositoryRoot, "docs", "images");
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, fileName), overwrite: true);
        }

        return path;
    }
}
