using System.Net;
using System.Net.NetworkInformation;

namespace Makemore.Service;

/// <summary>
/// Where the service listens: <c>localhost</c>, an IP address of this machine, or every interface (<c>0.0.0.0</c>, <c>::</c>).
/// Anything else is refused before binding: Kestrel binds every interface, without a word, for a host it cannot parse
/// (<c>999.1.1.1</c>, <c>example.com</c>), and fails only at start for an address of another machine.
/// </summary>
public sealed class ListenAddress
{
    private ListenAddress(string host, IPAddress? address, int port)
    {
        Host = host;
        Address = address;
        Port = port;
    }

    /// <summary>The host as given.</summary>
    public string Host { get; }

    /// <summary>The parsed address; null for <c>localhost</c>.</summary>
    public IPAddress? Address { get; }

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; }

    /// <summary>Whether only this machine can reach the service (<c>localhost</c> or a loopback address).</summary>
    public bool IsLoopback => Address is null || IPAddress.IsLoopback(Address);

    /// <summary>Whether the service listens on every interface (<c>0.0.0.0</c> or <c>::</c>).</summary>
    public bool IsEveryInterface => Address is not null && (Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any));

    /// <summary>The URL Kestrel listens on, e.g. <c>http://127.0.0.1:5080</c> or <c>http://[::1]:5080</c>.</summary>
    public string Url => Address is null ? $"http://localhost:{Port}"
        : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"http://[{Address}]:{Port}"
        : $"http://{Address}:{Port}";

    /// <summary>Checks a host and port the service is asked to listen on.</summary>
    /// <param name="host"><c>localhost</c>, an IP address of this machine, <c>0.0.0.0</c> or <c>::</c>.</param>
    /// <param name="port">0 to 65535; 0 picks a free port.</param>
    /// <exception cref="ArgumentException">The host is not an IP address or localhost (host names are not looked up), or not an
    /// address of this machine; the message starts with the host and fits on one line.</exception>
    public static ListenAddress Parse(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new(host, null, port);
        // IPAddress.TryParse takes the shorthand forms too ("127.1"); anything it takes is an address we can look for below.
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
            throw new ArgumentException(
                $"{host} is not an IP address or localhost: give 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of this machine's addresses ({string.Join(", ", LocalAddresses())}).",
                nameof(host));
        var listen = new ListenAddress(host, address, port);
        if (!listen.IsLoopback && !listen.IsEveryInterface && !LocalAddresses().Contains(address))
            throw new ArgumentException(
                $"{host} is not an address of this machine (its addresses: {string.Join(", ", LocalAddresses())}): give 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of those.",
                nameof(host));
        return listen;
    }

    private static IEnumerable<IPAddress> LocalAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address).Distinct();

    /// <inheritdoc/>
    public override string ToString() => Url;
}
