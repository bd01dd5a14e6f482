using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// The published Bookinfo manifests, file by file, against Golden/bookinfo. After an intended
/// change, regenerate with <c>MESH_UPDATE_GOLDEN=1 dotnet test Tests/Mesh.Hosting.Tests</c> and
/// review the diff.
/// </summary>
public sealed class GoldenManifestTests(BookinfoPublishFixture bookinfo) : IClassFixture<BookinfoPublishFixture>
{
    private static string GoldenDirectory => Path.Combine(RepositoryPaths.Golden, "bookinfo");

    [Fact]
    public void Published_bookinfo_matches_the_golden_files()
    {
        if (Environment.GetEnvironmentVariable("MESH_UPDATE_GOLDEN") == "1")
        {
            if (Directory.Exists(GoldenDirectory))
            {
                Directory.Delete(GoldenDirectory, recursive: true);
            }

            foreach (var (path, text) in bookinfo.Files)
            {
                var target = Path.Combine(GoldenDirectory, path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, text);
            }
        }

        var golden = BookinfoPublishFixture.ReadTree(GoldenDirectory);
        Assert.Equal(golden.Keys.Order(StringComparer.Ordinal), bookinfo.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, text) in golden)
        {
            Assert.True(text == bookinfo.Files[path], $"{path} differs from the golden file:\n{FirstDifference(text, bookinfo.Files[path])}");
        }
    }

    [Fact]
    public async Task Republishing_the_unchanged_model_writes_byte_identical_files()
    {
        using var other = new TemporaryDirectory();
        await Publisher.PublishAsync(BookinfoAppModel.Create(bookinfo.ConfigDirectory, Publisher.Args(other.Path, BookinfoPublishFixture.Settings)));
        var again = BookinfoPublishFixture.ReadTree(other.Path);
        Assert.Equal(bookinfo.Files.Keys.Order(StringComparer.Ordinal), again.Keys.Order(StringComparer.Ordinal));
        Assert.All(bookinfo.Files, f => Assert.Equal(f.Value, again[f.Key]));

        // Into the same folder: nothing is rewritten (timestamps stay), nothing is removed.
        var before = Directory.EnumerateFiles(other.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        await Publisher.PublishAsync(BookinfoAppModel.Create(bookinfo.ConfigDirectory, Publisher.Args(other.Path, BookinfoPublishFixture.Settings)));
        Assert.All(before, f => Assert.Equal(f.Value, File.GetLastWriteTimeUtc(f.Key)));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end>";
            var a = i < actualLines.Length ? actualLines[i] : "<end>";
            if (e != a)
            {
                return $"line {i + 1}: expected '{e}', got '{a}'";
            }
        }

        return "(no line differs)";
    }
}
