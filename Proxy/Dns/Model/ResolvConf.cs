using System.Net;

namespace Mesh.Proxy.Dns.Model;

/// <summary>
/// The host's resolver configuration (<c>/etc/resolv.conf</c>, resolv.conf(5)): its
/// <c>nameserver</c>s are the DNS proxy's upstream unless configured, its <c>search</c> domains the
/// suffixes the proxy strips from names it knows.
/// </summary>
internal sealed record ResolvConf(IReadOnlyList<IPEndPoint> NameServers, IReadOnlyList<string> Search)
{
    public static ResolvConf Empty { get; } = new([], []);

    public static ResolvConf Read(string path) => File.Exists(path) ? Parse(File.ReadAllLines(path)) : Empty;

    public static ResolvConf Parse(IEnumerable<string> lines)
    {
        var servers = new List<IPEndPoint>();
        var search = new List<string>();
        foreach (var line in lines)
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0].StartsWith('#') || words[0].StartsWith(';'))
            {
                continue;
            }

            switch (words[0])
            {
                case "nameserver" when IPAddress.TryParse(words[1], out var address):
                    servers.Add(new IPEndPoint(address, 53));
                    break;
                case "search" or "domain":
                    // The last search or domain line wins (resolv.conf(5)).
                    search.Clear();
                    search.AddRange(words.Skip(1).Where(w => w != "."));
                    break;
            }
        }

        return new ResolvConf(servers, search);
    }
}
