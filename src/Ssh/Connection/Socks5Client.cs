using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Ssh.Connection;

/// <summary>
/// The SOCKS5 client side (RFC 1928, no authentication, CONNECT only) used towards an OpenSSH
/// client that serves a dynamic remote forward on a forwarded-tcpip channel. The greeting and
/// the request go out in one write (OpenSSH parses a pipelined request), then exactly the two
/// replies are read, leaving the stream positioned at the tunnelled data. A peer that answers
/// nothing (closes, or stays silent until the token fires) or only echoes the request fails with
/// <see cref="Socks5Exception.NoAnswer"/> set; a cancellation after the server answered
/// something stays an <see cref="OperationCanceledException"/>.
/// </summary>
public static class Socks5Client
{
    private const byte Version = 5;
    private const byte NoAuthentication = 0;
    private const byte Connect = 1;
    private const byte AddressIPv4 = 1;
    private const byte AddressDomain = 3;
    private const byte AddressIPv6 = 4;
    private const string ClosedEarly = "connection closed by the SOCKS server before it replied";

    public static async Task ConnectAsync(Stream stream, string host, ushort port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(host);

        var request = BuildRequest(host, port);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var buffer = new byte[4 + 1 + 255 + 2];
        int first;
        try
        {
            first = await stream.ReadAtLeastAsync(buffer.AsMemory(0, 2), 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            throw new Socks5Exception("no SOCKS reply before the handshake ended", noAnswer: true, ex);
        }
        if (first == 0) throw new Socks5Exception(ClosedEarly, noAnswer: true);
        if (first < 2) await ReadExactlyAsync(stream, buffer.AsMemory(1, 1), cancellationToken).ConfigureAwait(false);
        // Method 1 was never offered: a greeting that comes back as it went out is an echo.
        if (buffer[0] == request[0] && buffer[1] == request[1])
            throw new Socks5Exception($"not a SOCKS5 server (it echoed the request)", noAnswer: true);
        if (buffer[0] != Version)
            throw new Socks5Exception($"not a SOCKS5 server (version byte {buffer[0]})");
        if (buffer[1] != NoAuthentication)
            throw new Socks5Exception(buffer[1] == 0xFF
                ? "the SOCKS server accepted none of the offered authentication methods"
                : $"the SOCKS server chose authentication method {buffer[1]}, which was not offered");

        await ReadExactlyAsync(stream, buffer.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        if (buffer[0] != Version)
            throw new Socks5Exception($"malformed SOCKS5 reply (version byte {buffer[0]})");
        if (buffer[1] != 0)
            throw new Socks5Exception(Socks5Exception.DescribeReply(buffer[1]), buffer[1]);
        // Consume BND.ADDR and BND.PORT exactly, so what follows is the tunnelled data.
        int rest = buffer[3] switch
        {
            AddressIPv4 => 4 + 2,
            AddressIPv6 => 16 + 2,
            AddressDomain => -1,
            _ => throw new Socks5Exception($"malformed SOCKS5 reply (address type {buffer[3]})"),
        };
        if (rest < 0)
        {
            await ReadExactlyAsync(stream, buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
            rest = buffer[0] + 2;
        }
        await ReadExactlyAsync(stream, buffer.AsMemory(0, rest), cancellationToken).ConfigureAwait(false);
    }

    internal static byte[] BuildRequest(string host, ushort port)
    {
        byte[] address;
        byte addressType;
        if (IPAddress.TryParse(host, out var ip))
        {
            address = ip.GetAddressBytes();
            addressType = ip.AddressFamily == AddressFamily.InterNetworkV6 ? AddressIPv6 : AddressIPv4;
        }
        else
        {
            address = Encoding.ASCII.GetBytes(host);
            if (address.Length > 255) throw new ArgumentException("a SOCKS5 host name is at most 255 bytes", nameof(host));
            addressType = AddressDomain;
        }

        var length = 3 + 4 + (addressType == AddressDomain ? 1 : 0) + address.Length + 2;
        var request = new byte[length];
        var i = 0;
        request[i++] = Version; request[i++] = 1; request[i++] = NoAuthentication;
        request[i++] = Version; request[i++] = Connect; request[i++] = 0; request[i++] = addressType;
        if (addressType == AddressDomain) request[i++] = (byte)address.Length;
        address.CopyTo(request, i);
        i += address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(i), port);
        return request;
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < buffer.Length) throw new Socks5Exception(ClosedEarly);
    }
}
