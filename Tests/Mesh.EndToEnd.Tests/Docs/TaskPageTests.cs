using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Docs;

/// <summary>
/// Every page under docs/tasks/ is executed on the running AppHost: its commands run and print what
/// the page shows, so a page that drifts from the product fails CI. Each page cleans up after
/// itself (its last steps); whatever it applied is deleted again afterwards in any case.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class TaskPageTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static string TasksDirectory => Path.Combine(MeshAppFixture.RepositoryRoot, "docs", "tasks");

    public static TheoryData<string> Pages() =>
        [.. Directory.EnumerateFiles(TasksDirectory, "*.md").Select(f => Path.GetFileName(f)).Where(n => n != "README.md").Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_task_page_runs_as_written(string file)
    {
        var page = TaskPage.Parse(file, await File.ReadAllTextAsync(Path.Combine(TasksDirectory, file)));
        Assert.NotEmpty(page.Steps);
        try
        {
            await new TaskPageRunner(mesh, output.WriteLine).RunAsync(page);
        }
        finally
        {
            await CleanUpAsync(page);
        }
    }

    /// <summary>Deletes every file the page applied, so that a page failing half-way leaves the next test a clean mesh.</summary>
    private async Task CleanUpAsync(TaskPage page)
    {
        foreach (var file in page.Steps.SelectMany(s => AppliedFiles(s.Command)).Distinct().Reverse())
        {
            var result = await mesh.MeshCtlAsync("delete", "-f", Path.Combine(MeshAppFixture.RepositoryRoot, file), "--ignore-not-found");
            output.WriteLine($"cleanup: meshctl delete -f {file}: {result.ExitCode} {result.Output}{result.Error}");
        }

        await mesh.Admin.WaitForAllSyncedAsync(mesh.ProxyIds.Count, TimeSpan.FromSeconds(30));
    }

    private static IEnumerable<string> AppliedFiles(string command)
    {
        var words = command.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 2 < words.Length; i++)
        {
            if (words[i] == "meshctl" && words[i + 1] == "apply" && words[i + 2] == "-f" && i + 3 < words.Length)
            {
                yield return words[i + 3];
            }
        }
    }
}
