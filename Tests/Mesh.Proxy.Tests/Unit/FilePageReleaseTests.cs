using System.IO.MemoryMappedFiles;
using System.Text.RegularExpressions;
using Mesh.Proxy.Core.Hosting;

namespace Mesh.Proxy.Tests.Unit;

/// <summary>
/// The release of start-up file pages (a Native AOT proxy's executable): only read-only file
/// mappings without a written page are unmapped, and what is read afterwards is the same bytes.
/// </summary>
public sealed partial class FilePageReleaseTests
{
    private const string Smaps = """
        55c0a0000000-55c0a0035000 r--p 00000000 fe:00 12239893                   /app/Mesh.Sidecar
        Size:                212 kB
        Rss:                 212 kB
        Anonymous:             0 kB
        55c0a0035000-55c0a0d86000 r-xp 00035000 fe:00 12239893                   /app/Mesh.Sidecar
        Rss:               12300 kB
        Anonymous:             0 kB
        55c0a157a000-55c0a157b000 r--p 0157a000 fe:00 12239893                   /app/Mesh.Sidecar
        Rss:                   4 kB
        Anonymous:             4 kB
        55c0a1ac5000-55c0a1b33000 rw-p 01ac5000 fe:00 12239893                   /app/Mesh.Sidecar
        Rss:                 440 kB
        Anonymous:           172 kB
        55c0a1b33000-55c0a1c00000 rw-p 00000000 00:00 0
        Rss:                 800 kB
        Anonymous:           800 kB
        7f0000000000-7f0000200000 r--p 00000000 fe:00 4242                       /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        Rss:                   0 kB
        Anonymous:             0 kB
        7f0000200000-7f0000400000 r-xp 00200000 fe:00 4242                       /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        Rss:                2544 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        """;

    [Fact]
    public void Only_resident_read_only_file_mappings_without_a_written_page_are_candidates()
    {
        var candidates = FilePageRelease.Candidates(new StringReader(Smaps));

        Assert.Equal(
            new (long, long, long)[] { (0x55c0a0000000, 0x55c0a0035000, 212), (0x55c0a0035000, 0x55c0a0d86000, 12300), (0x7f0000200000, 0x7f0000400000, 2544) },
            candidates.Select(c => ((long)c.Start, (long)c.End, c.ResidentKb)));
    }

    [Fact]
    public void A_released_mapping_leaves_the_process_resident_set_and_reads_back_the_same_bytes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mesh-file-pages-{Guid.NewGuid():N}");
        var content = new byte[4 << 20];
        Random.Shared.NextBytes(content);
        File.WriteAllBytes(path, content);
        try
        {
            using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = file.CreateViewAccessor(0, content.Length, MemoryMappedFileAccess.Read);
            Assert.Equal(content, Read(view, content.Length));
            Assert.Equal(content.Length / 1024, ResidentKb(path));

            var released = FilePageRelease.ReleaseOwn();

            Assert.Equal(0, ResidentKb(path));
            Assert.True(released.ResidentKb >= content.Length / 1024, $"released {released.ResidentKb} KB");
            Assert.Equal(content, Read(view, content.Length));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Read(MemoryMappedViewAccessor view, int length)
    {
        var bytes = new byte[length];
        view.ReadArray(0, bytes, 0, length);
        return bytes;
    }

    // The test file's resident KB in this process, from /proc/self/smaps.
    private static long ResidentKb(string path)
    {
        long kb = 0;
        var inFile = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (MappingHeader().IsMatch(line))
            {
                inFile = line.EndsWith(path, StringComparison.Ordinal);
            }
            else if (inFile && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                kb += long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return kb;
    }

    [GeneratedRegex("^[0-9a-f]+-[0-9a-f]+ ")]
    private static partial Regex MappingHeader();
}
