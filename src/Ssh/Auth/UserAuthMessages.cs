using System.Buffers;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Auth;

/// <summary>Encoders for the user authentication messages (RFC 4252 §5, RFC 4256 §3) and the publickey signed data.</summary>
internal static class UserAuthMessages
{
    /// <summary>Bound on prompts per INFO_REQUEST / responses per INFO_RESPONSE (OpenSSH uses 100).</summary>
    public const int MaxPrompts = 100;

    public static readonly byte[] Success = [SshMessageNumber.UserAuthSuccess];
    public static readonly byte[] Ignore = [SshMessageNumber.Ignore, 0, 0, 0, 0];

    public static byte[] Failure(IEnumerable<string> methods, bool partialSuccess) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthFailure, w =>
        {
            w.WriteNameList(methods);
            w.WriteBoolean(partialSuccess);
        });

    public static byte[] Banner(string message) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthBanner, w =>
        {
            w.WriteString(message);
            w.WriteString("");
        });

    public static byte[] PkOk(string algorithm, ReadOnlySpan<byte> blob)
    {
        var buffer = new ArrayBufferWriter<byte>(blob.Length + algorithm.Length + 16);
        var w = new SshWriter(buffer);
        w.WriteByte(SshMessageNumber.UserAuthPkOk);
        w.WriteString(algorithm);
        w.WriteBinary(blob);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] InfoRequest(string name, string instruction, IReadOnlyList<SshPrompt> prompts) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthInfoRequest, w =>
        {
            w.WriteString(name);
            w.WriteString(instruction);
            w.WriteString("");
            w.WriteUInt32((uint)prompts.Count);
            foreach (var prompt in prompts)
            {
                w.WriteString(prompt.Text);
                w.WriteBoolean(prompt.Echo);
            }
        });

    public static byte[] InfoResponse(IReadOnlyList<string> responses) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthInfoResponse, w =>
        {
            w.WriteUInt32((uint)responses.Count);
            foreach (var response in responses) w.WriteString(response);
        });

    public static byte[] NoneRequest(string user) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
        {
            w.WriteString(user);
            w.WriteString(SshAuthMethods.ConnectionService);
            w.WriteString(SshAuthMethods.None);
        });

    public static byte[] KeyboardInteractiveRequest(string user) =>
        SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
        {
            w.WriteString(user);
            w.WriteString(SshAuthMethods.ConnectionService);
            w.WriteString(SshAuthMethods.KeyboardInteractive);
            w.WriteString("");
            w.WriteString("");
        });

    /// <summary>A publickey request; <paramref name="signature"/> empty means a query (has_signature = FALSE).</summary>
    public static byte[] PublicKeyRequest(string user, string algorithm, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> signature, bool signed)
    {
        var buffer = new ArrayBufferWriter<byte>(blob.Length + signature.Length + 128);
        var w = new SshWriter(buffer);
        w.WriteByte(SshMessageNumber.UserAuthRequest);
        w.WriteString(user);
        w.WriteString(SshAuthMethods.ConnectionService);
        w.WriteString(SshAuthMethods.PublicKey);
        w.WriteBoolean(signed);
        w.WriteString(algorithm);
        w.WriteBinary(blob);
        if (signed) w.WriteBinary(signature);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// RFC 4252 §7: string session_id ‖ byte 50 ‖ string user ‖ string service ‖ string "publickey"
    /// ‖ bool TRUE ‖ string algorithm ‖ string blob.
    /// </summary>
    public static byte[] PublicKeySignedData(ReadOnlySpan<byte> sessionId, string user, string service, string algorithm, ReadOnlySpan<byte> blob)
    {
        var buffer = new ArrayBufferWriter<byte>(sessionId.Length + blob.Length + 128);
        var w = new SshWriter(buffer);
        w.WriteBinary(sessionId);
        w.WriteByte(SshMessageNumber.UserAuthRequest);
        w.WriteString(user);
        w.WriteString(service);
        w.WriteString(SshAuthMethods.PublicKey);
        w.WriteBoolean(true);
        w.WriteString(algorithm);
        w.WriteBinary(blob);
        return buffer.WrittenSpan.ToArray();
    }
}
