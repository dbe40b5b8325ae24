// One source file, compiled twice:
//  - by MSBuild's RoslynCodeTaskFactory as the inline task `MakemorePatchLibTorchSharpGlibcxx`
//    (see Makemore.ML.TorchSharp.targets beside this file, which explains why the patch exists);
//  - into Makemore.ML.TorchSharp itself (with MAKEMORE_TORCHSHARP_LIBRARY defined, so without the
//    MSBuild task class), where TorchRuntime uses the ELF reader to explain a load failure and the
//    tests exercise the patch on a copy of the library.
// It therefore targets netstandard2.0 APIs only and has no dependency besides MSBuild's task API.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Makemore.ML.TorchSharp.Build;

#if !MAKEMORE_TORCHSHARP_LIBRARY
/// <summary>Marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak in build or publish output.</summary>
public sealed class MakemorePatchLibTorchSharpGlibcxx : Microsoft.Build.Utilities.Task
{
    /// <summary>Folders searched (recursively) for libLibTorchSharp.so: the output or publish folder.</summary>
    [Microsoft.Build.Framework.Required]
    public string[] Directories { get; set; } = Array.Empty<string>();

    /// <summary>auto: patch when this machine's libstdc++ lacks GLIBCXX_3.4.32; always: patch anyway.</summary>
    public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        bool always = string.Equals(Mode, "always", StringComparison.OrdinalIgnoreCase);
        if (!always && !string.Equals(Mode, "auto", StringComparison.OrdinalIgnoreCase))
        {
            Log.LogError($"MakemoreTorchSharpGlibcxxPatch must be auto, always or never, not '{Mode}'.");
            return false;
        }

        foreach (string directory in Directories)
        {
            if (!Directory.Exists(directory))
                continue;
            foreach (string library in Directory.EnumerateFiles(Path.GetFullPath(directory), LibTorchSharpElf.LibraryFileName, SearchOption.AllDirectories))
            {
                string? libStdCxx = null;
                if (!always)
                {
                    libStdCxx = LibTorchSharpElf.FindLibStdCxx(Path.GetDirectoryName(library));
                    if (libStdCxx != null && LibTorchSharpElf.Provides(libStdCxx, LibTorchSharpElf.MarkerVersion))
                        continue; // a GCC 13+ libstdc++: the library loads as shipped
                }

                PatchOutcome outcome = LibTorchSharpElf.Patch(library, out string detail);
                if (outcome == PatchOutcome.Patched)
                {
                    string reason = always ? "MakemoreTorchSharpGlibcxxPatch=always"
                        : libStdCxx == null ? "no libstdc++.so.6 found"
                        : $"{libStdCxx} lacks it";
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"Makemore.ML.TorchSharp: marked {LibTorchSharpElf.MarkerVersion} weak in {library} ({reason}; see Makemore.ML.TorchSharp.targets).");
                }
                else if (outcome == PatchOutcome.Refused)
                {
                    Log.LogWarning(null, "MMTS001", null, library, 0, 0, 0, 0,
                        $"Makemore.ML.TorchSharp: not patching {library}: {detail}. It needs a libstdc++ with {LibTorchSharpElf.MarkerVersion} (GCC 13+).");
                }
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

namespace Makemore.ML.TorchSharp.Build
{
    /// <summary>What <see cref="LibTorchSharpElf.Patch"/> did.</summary>
    internal enum PatchOutcome
    {
        /// <summary>Not an ELF64 little-endian file, or it does not ask libstdc++ for GLIBCXX_3.4.32.</summary>
        NotNeeded,
        /// <summary>The requirement was already weak; nothing was written.</summary>
        AlreadyWeak,
        /// <summary>The requirement is now weak.</summary>
        Patched,
        /// <summary>Other symbols than the marker need that version, or a relocation uses it: weakening would not be safe.</summary>
        Refused,
    }

    /// <summary>What a library says about its libstdc++ GLIBCXX_3.4.32 requirement.</summary>
    internal enum MarkerRequirement
    {
        /// <summary>Not an ELF64 little-endian file, or no such requirement.</summary>
        Absent,
        /// <summary>Required with VER_FLG_WEAK set: the dynamic loader does not insist on it.</summary>
        Weak,
        /// <summary>Required: the loader refuses a libstdc++ without it.</summary>
        Strict,
    }

    /// <summary>A minimal ELF64 little-endian reader for symbol versioning (.gnu.version_r / _d), enough to weaken one requirement.</summary>
    internal static class LibTorchSharpElf
    {
        public const string LibraryFileName = "libLibTorchSharp.so";
        public const string MarkerVersion = "GLIBCXX_3.4.32";
        public const string MarkerSymbol = "_ZSt21ios_base_library_initv";
        public const string LibStdCxxFileName = "libstdc++.so.6";
        public const ushort VerFlagWeak = 0x2;

        const uint ShtRela = 4, ShtDynsym = 11, ShtRel = 9;
        const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        /// <summary>Where the dynamic loader usually finds libstdc++ on Linux, after the library's own folder and LD_LIBRARY_PATH.</summary>
        static readonly string[] SystemLibraryDirectories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib64", "/usr/local/lib",
        };

        /// <summary>Finds the libstdc++.so.6 the loader would most likely pick, or null.</summary>
        public static string? FindLibStdCxx(string? besideLibrary)
        {
            var directories = new List<string>();
            if (!string.IsNullOrEmpty(besideLibrary))
                directories.Add(besideLibrary!); // libLibTorchSharp.so has RUNPATH $ORIGIN/
            string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ldLibraryPath))
                directories.AddRange(ldLibraryPath!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
            directories.AddRange(SystemLibraryDirectories);
            foreach (string directory in directories)
            {
                string candidate = Path.Combine(directory, LibStdCxxFileName);
                if (File.Exists(candidate))
                    return candidate;
            }
            return null;
        }

        /// <summary>True when the ELF file at <paramref name="path"/> defines <paramref name="version"/> (in .gnu.version_d).</summary>
        public static bool Provides(string path, string version)
        {
            try
            {
                Elf? elf = Elf.TryParse(File.ReadAllBytes(path));
                if (elf == null)
                    return false;
                foreach (Section section in elf.Sections)
                {
                    if (section.Type != ShtGnuVerdef)
                        continue;
                    Section strings = elf.Linked(section.Link);
                    long entry = section.Offset;
                    for (uint i = 0; i < section.Info; i++)
                    {
                        // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                        uint aux = elf.U32(entry + 12), next = elf.U32(entry + 16);
                        // first Elf64_Verdaux names the version itself: vda_name u32, vda_next u32
                        if (elf.String(strings, elf.U32(entry + aux)) == version)
                            return true;
                        if (next == 0)
                            break;
                        entry += next;
                    }
                }
                return false;
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        /// <summary>Reads the state of the library's GLIBCXX_3.4.32 requirement.</summary>
        public static MarkerRequirement ReadRequirement(string path)
        {
            Elf? elf = Elf.TryParse(File.ReadAllBytes(path));
            Vernaux? aux = elf == null ? null : TryFindMarkerRequirement(elf);
            return aux == null ? MarkerRequirement.Absent
                : (aux.Value.Flags & VerFlagWeak) != 0 ? MarkerRequirement.Weak
                : MarkerRequirement.Strict;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the library's GLIBCXX_3.4.32 requirement, if it has a strict one and only the
        /// relocation-free marker symbol uses that version. Writes a fresh file and renames it over
        /// <paramref name="path"/>, so a hard or symbolic link into the NuGet cache is replaced, never written through.
        /// </summary>
        public static PatchOutcome Patch(string path, out string detail)
        {
            detail = "";
            byte[] data = File.ReadAllBytes(path);
            Elf? elf = Elf.TryParse(data);
            Vernaux? found = elf == null ? null : TryFindMarkerRequirement(elf);
            if (elf == null || found == null)
                return PatchOutcome.NotNeeded;
            Vernaux aux = found.Value;
            if ((aux.Flags & VerFlagWeak) != 0)
                return PatchOutcome.AlreadyWeak;
            try
            {
                if (!OnlyTheMarkerUses(elf, aux.VersionIndex, out detail))
                    return PatchOutcome.Refused;
            }
            catch (InvalidDataException e)
            {
                detail = "its symbol tables could not be read: " + e.Message;
                return PatchOutcome.Refused;
            }

            string temporary = path + ".makemore-patch.tmp";
            File.Copy(path, temporary, overwrite: true); // keeps the permission bits
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
            {
                ushort flags = (ushort)(aux.Flags | VerFlagWeak);
                stream.Position = aux.FlagsOffset;
                stream.WriteByte((byte)flags);
                stream.WriteByte((byte)(flags >> 8));
            }
            // Keep the timestamp of the copy MSBuild made: its incremental copy compares size and time, so an
            // unchanged package is not copied (and patched) again on every build; a new package is.
            File.SetLastWriteTimeUtc(temporary, File.GetLastWriteTimeUtc(path));
            File.Replace(temporary, path, null); // rename(2): replaces the directory entry, not the old file's contents
            return PatchOutcome.Patched;
        }

        static Vernaux? TryFindMarkerRequirement(Elf elf)
        {
            try
            {
                return FindMarkerRequirement(elf);
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }

        /// <summary>The libstdc++.so.6 → GLIBCXX_3.4.32 entry of .gnu.version_r, or null.</summary>
        static Vernaux? FindMarkerRequirement(Elf elf)
        {
            foreach (Section section in elf.Sections)
            {
                if (section.Type != ShtGnuVerneed)
                    continue;
                Section strings = elf.Linked(section.Link);
                long need = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                    ushort count = elf.U16(need + 2);
                    string file = elf.String(strings, elf.U32(need + 4));
                    uint auxOffset = elf.U32(need + 8), next = elf.U32(need + 12);
                    long aux = need + auxOffset;
                    for (int j = 0; j < count; j++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                        if (file == LibStdCxxFileName && elf.String(strings, elf.U32(aux + 8)) == MarkerVersion)
                            return new Vernaux(aux + 4, elf.U16(aux + 4), elf.U16(aux + 6));
                        uint auxNext = elf.U32(aux + 12);
                        if (auxNext == 0)
                            break;
                        aux += auxNext;
                    }
                    if (next == 0)
                        break;
                    need += next;
                }
            }
            return null;
        }

        /// <summary>Checks that the only dynamic symbol bound to <paramref name="versionIndex"/> is the undefined marker, with no relocation.</summary>
        static bool OnlyTheMarkerUses(Elf elf, ushort versionIndex, out string detail)
        {
            var users = new HashSet<ulong>();
            int dynsymIndex = -1;
            foreach (Section versym in elf.Sections)
            {
                if (versym.Type != ShtGnuVersym)
                    continue;
                dynsymIndex = (int)versym.Link;
                Section dynsym = elf.Linked(versym.Link);
                Section strings = elf.Linked(dynsym.Link);
                if (dynsym.Type != ShtDynsym || dynsym.EntrySize < 24)
                    throw new InvalidDataException(".gnu.version does not link to .dynsym");
                for (long i = 0; i < versym.Size / 2; i++)
                {
                    if ((elf.U16(versym.Offset + 2 * i) & 0x7fff) != versionIndex)
                        continue;
                    // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
                    long symbol = dynsym.Offset + i * (long)dynsym.EntrySize;
                    string name = elf.String(strings, elf.U32(symbol));
                    if (name != MarkerSymbol || elf.U16(symbol + 6) != 0)
                    {
                        detail = $"symbol {name} also needs {MarkerVersion}";
                        return false;
                    }
                    users.Add((ulong)i);
                }
            }
            foreach (Section relocations in elf.Sections)
            {
                if ((relocations.Type != ShtRela && relocations.Type != ShtRel) || relocations.Link != dynsymIndex)
                    continue;
                ulong entrySize = relocations.EntrySize != 0 ? relocations.EntrySize : relocations.Type == ShtRela ? 24UL : 16UL;
                for (ulong offset = 0; offset + entrySize <= (ulong)relocations.Size; offset += entrySize)
                {
                    // Elf64_Rel(a): r_offset u64, r_info u64 (symbol index in the high 32 bits)[, r_addend i64]
                    if (users.Contains(elf.U64(relocations.Offset + (long)offset + 8) >> 32))
                    {
                        detail = $"a relocation uses {MarkerSymbol}";
                        return false;
                    }
                }
            }
            detail = "";
            return true;
        }

        readonly struct Vernaux
        {
            public Vernaux(long flagsOffset, ushort flags, ushort versionIndex)
            {
                FlagsOffset = flagsOffset;
                Flags = flags;
                VersionIndex = versionIndex;
            }

            public long FlagsOffset { get; }
            public ushort Flags { get; }
            public ushort VersionIndex { get; }
        }

        readonly struct Section
        {
            public Section(uint type, long offset, long size, uint link, uint info, ulong entrySize)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
                EntrySize = entrySize;
            }

            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
            public ulong EntrySize { get; }
        }

        /// <summary>An ELF64 little-endian image: its section headers, with bounds-checked reads.</summary>
        sealed class Elf
        {
            readonly byte[] data;

            public Elf(byte[] data)
            {
                this.data = data;
                // e_ident: 0x7f 'E' 'L' 'F', EI_CLASS = 2 (ELFCLASS64), EI_DATA = 1 (little-endian)
                if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F' || data[4] != 2 || data[5] != 1)
                    throw new InvalidDataException("not an ELF64 little-endian file");
                long sectionHeaders = checked((long)U64(0x28));  // e_shoff
                ushort entrySize = U16(0x3a);                     // e_shentsize
                long count = U16(0x3c);                           // e_shnum; 0 means "in section 0's sh_size"
                if (entrySize < 64 || sectionHeaders == 0)
                    throw new InvalidDataException("no section headers");
                if (count == 0)
                    count = checked((long)U64(sectionHeaders + 32));
                Sections = new Section[count];
                for (long i = 0; i < count; i++)
                {
                    // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64, sh_size u64,
                    //             sh_link u32, sh_info u32, sh_addralign u64, sh_entsize u64
                    long header = sectionHeaders + i * entrySize;
                    var section = new Section(U32(header + 4), checked((long)U64(header + 24)), checked((long)U64(header + 32)),
                        U32(header + 40), U32(header + 44), U64(header + 56));
                    if (section.Type != 8 /* SHT_NOBITS */ && section.Size > 0 && (section.Offset < 0 || section.Offset + section.Size > data.Length))
                        throw new InvalidDataException($"section {i} lies outside the file");
                    Sections[i] = section;
                }
            }

            public Section[] Sections { get; }

            /// <summary>The section a sh_link names.</summary>
            public Section Linked(uint index) =>
                index < Sections.Length ? Sections[index] : throw new InvalidDataException($"sh_link {index} names no section");

            public static Elf? TryParse(byte[] data)
            {
                try
                {
                    return new Elf(data);
                }
                catch (Exception e) when (e is InvalidDataException || e is OverflowException)
                {
                    return null;
                }
            }

            public ushort U16(long offset)
            {
                Check(offset, 2);
                return (ushort)(data[offset] | data[offset + 1] << 8);
            }

            public uint U32(long offset)
            {
                Check(offset, 4);
                return (uint)(data[offset] | data[offset + 1] << 8 | data[offset + 2] << 16 | data[offset + 3] << 24);
            }

            public ulong U64(long offset) => U32(offset) | (ulong)U32(offset + 4) << 32;

            /// <summary>The NUL-terminated string at <paramref name="index"/> in a string table section.</summary>
            public string String(Section table, uint index)
            {
                long start = table.Offset + index, end = start;
                while (end < table.Offset + table.Size && end < data.Length && data[end] != 0)
                    end++;
                if (index >= table.Size || end >= data.Length)
                    throw new InvalidDataException("string outside its table");
                return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
            }

            void Check(long offset, int length)
            {
                if (offset < 0 || offset + length > data.Length)
                    throw new InvalidDataException($"read past the end of the file at 0x{offset:x}");
            }
        }
    }
}
