using System.Globalization;
using System.Runtime.InteropServices;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Unmaps from this process the resident pages of its read-only file mappings (the executable's
/// code and read-only data, the shared libraries' text) with <c>madvise(MADV_DONTNEED)</c>. The
/// pages stay in the page cache: whatever the process touches again maps back in with a minor
/// fault, the same bytes read from the same file. Only mappings without write permission and
/// without a single anonymous (copied-on-write) page qualify, so nothing the process wrote —
/// relocated read-only data, patched pages — is ever dropped (docs/proxy.md §9).
/// </summary>
internal static partial class FilePageRelease
{
    private const int MadvDontNeed = 4;

    /// <summary>What one release found and unmapped: mappings and the resident KB they held.</summary>
    internal readonly record struct Released(int Mappings, long ResidentKb, int Failed);

    /// <summary>The file mappings of an smaps text that may be released (read-only, no anonymous page, resident).</summary>
    internal static List<(nint Start, nint End, long ResidentKb)> Candidates(TextReader smaps)
    {
        var found = new List<(nint, nint, long)>();
        (nint Start, nint End)? current = null;
        long rss = 0;
        var anonymous = false;
        while (smaps.ReadLine() is { } line)
        {
            if (MappingHeader(line) is { } header)
            {
                Add();
                current = header.Releasable ? (header.Start, header.End) : null;
                rss = 0;
                anonymous = false;
                continue;
            }

            if (current is null)
            {
                continue;
            }

            if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("Anonymous:", StringComparison.Ordinal) && Kilobytes(line) != 0)
            {
                anonymous = true;
            }
        }

        Add();
        return found;

        void Add()
        {
            if (current is { } mapping && rss > 0 && !anonymous)
            {
                found.Add((mapping.Start, mapping.End, rss));
            }
        }
    }

    /// <summary>Releases the candidates of <c>/proc/self/smaps</c>; Linux only.</summary>
    internal static Released ReleaseOwn()
    {
        List<(nint Start, nint End, long ResidentKb)> candidates;
        using (var smaps = new StreamReader("/proc/self/smaps"))
        {
            candidates = Candidates(smaps);
        }

        long kb = 0;
        var failed = 0;
        foreach (var (start, end, residentKb) in candidates)
        {
            if (Madvise(start, (nuint)(end - start), MadvDontNeed) == 0)
            {
                kb += residentKb;
            }
            else
            {
                // A locked or special mapping (EINVAL): it stays as it is.
                failed++;
            }
        }

        return new Released(candidates.Count - failed, kb, failed);
    }

    // "start-end perms offset dev inode [path]": every mapping's first line, null for its field
    // lines. Releasable: a file mapping (a path, not [vdso] or an anonymous one) without write permission.
    private static (nint Start, nint End, bool Releasable)? MappingHeader(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (dash <= 0 || space <= dash || line.Length < space + 5 || line[space - 1] == ':'
            || !long.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
        {
            return null;
        }

        var writable = line[space + 2] == 'w';
        return ((nint)start, (nint)end, !writable && line.IndexOf('/', space) >= 0);
    }

    private static long Kilobytes(string line)
    {
        var value = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        var unit = value.IndexOf(' ');
        return long.TryParse(unit < 0 ? value : value[..unit], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }

    // DllImport, not LibraryImport: blittable arguments only, and the project does not allow unsafe code.
    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);
}
