using System.Buffers.Binary;
using System.Text;

namespace Gateway.Node.Health;

/// <summary>
/// The two messages of <c>grpc.health.v1.Health/Check</c>, encoded by hand (one string field out,
/// one enum field back), and gRPC's length-prefixed framing.
/// </summary>
public static class GrpcHealthMessages
{
    public const string Path = "/grpc.health.v1.Health/Check";

    /// <summary>A gRPC frame holding <c>HealthCheckRequest{service}</c>; an empty name is the server's overall health.</summary>
    public static byte[] RequestFrame(string? service)
    {
        var name = Encoding.UTF8.GetBytes(service ?? "");
        var message = new List<byte>(name.Length + 8);
        if (name.Length > 0)
        {
            message.Add(0x0A); // field 1, length-delimited
            WriteVarint(message, (ulong)name.Length);
            message.AddRange(name);
        }
        var frame = new byte[5 + message.Count];
        frame[0] = 0; // not compressed
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Count);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>
    /// Reads the one response frame and its <c>HealthCheckResponse.status</c> (0 when absent, as
    /// proto3 defaults). Null with a reason when the body is not exactly one uncompressed frame
    /// holding a valid message, which Envoy reports as an internal error.
    /// </summary>
    public static int? ParseResponse(ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;
        if (body.Length < 5)
        {
            problem = body.Length == 0 ? "no HealthCheckResponse in the reply" : "truncated gRPC frame";
            return null;
        }
        if (body[0] != 0)
        {
            problem = "compressed or unknown gRPC frame flags";
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..5]);
        if (length != body.Length - 5)
        {
            problem = length > body.Length - 5 ? "truncated gRPC frame" : "more than one message in a unary reply";
            return null;
        }
        var status = ParseStatus(body[5..]);
        if (status is null)
            problem = "invalid grpc.health.v1 HealthCheckResponse";
        return status;
    }

    /// <summary>Field 1 (varint) of the message; unknown fields are skipped as protobuf requires.</summary>
    private static int? ParseStatus(ReadOnlySpan<byte> message)
    {
        var status = 0;
        var position = 0;
        while (position < message.Length)
        {
            if (!TryReadVarint(message, ref position, out var tag))
                return null;
            var field = tag >> 3;
            switch (tag & 7)
            {
                case 0:
                    if (!TryReadVarint(message, ref position, out var value))
                        return null;
                    if (field == 1)
                        status = unchecked((int)value);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    if (!TryReadVarint(message, ref position, out var length) || length > (ulong)(message.Length - position))
                        return null;
                    position += (int)length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    return null;
            }
            if (position > message.Length || field == 0)
                return null;
        }
        return status;
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> input, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= input.Length)
                return false;
            var b = input[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }

    /// <summary><c>HealthCheckResponse.ServingStatus</c> names.</summary>
    public static string ServingStatusName(int status) => status switch
    {
        0 => "UNKNOWN",
        1 => "SERVING",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => $"status {status}",
    };

    /// <summary>gRPC status code names, as grpc-status carries them.</summary>
    public static string StatusCodeName(int code) => code switch
    {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => $"code {code}",
    };

    /// <summary>gRPC's HTTP-to-gRPC status mapping, for replies without grpc-status.</summary>
    public static int FromHttpStatus(int status) => status switch
    {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 or 502 or 503 or 504 => 14,
        _ => 2,
    };
}
