// mpxe-rom: packs EFI driver images into a PCI expansion ROM.
//
//   mpxe-rom --vendor 0x1af4 --device 0x1000 --out mpxe-virtio.rom mpxe.efi
//   mpxe-rom --vendor 0x8086 --device 0x100e --device 0x10d3 --out x.rom a.efi b.efi
//   mpxe-rom --info mpxe-virtio.rom
//
// With several images, --vendor and --device are given once (shared by all)
// or once per image, in order.
#include <stdint.h>
#include <stdio.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "romtool/hex_arg.h"
#include "romtool/rom_packer.h"
#include "romtool/rom_reader.h"

namespace {

constexpr uint32_t kMaxPciId = 0xFFFF;
constexpr int kExitFailure = 1;

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

// Writes beside the target and renames, so a failed run never leaves a
// half-written ROM that looks up to date to the build.
bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return false;
  }
  return rename(temporary.c_str(), path.c_str()) == 0;
}

// One value per image, or one for all.
std::optional<std::vector<uint32_t>> parse_per_image(const char* what, const std::vector<std::string>& texts,
                                                     size_t image_count, uint32_t max) {
  if (texts.size() != 1 && texts.size() != image_count) {
    std::cerr << "mpxe-rom: give " << what << " once, or once per image (" << image_count << ")\n";
    return std::nullopt;
  }
  std::vector<uint32_t> values;
  for (size_t i = 0; i < image_count; ++i) {
    const std::string& text = texts[texts.size() == 1 ? 0 : i];
    std::optional<uint32_t> value = mpxe::rom::parse_hex_arg(text, max);
    if (!value) {
      std::cerr << "mpxe-rom: " << what << " '" << text << "' is not a hex number up to 0x" << std::hex
                << max << std::dec << "\n";
      return std::nullopt;
    }
    values.push_back(*value);
  }
  return values;
}

struct PackOptions {
  std::vector<std::string> vendors;
  std::vector<std::string> devices;
  std::string class_code = "0x020000";
  uint16_t code_revision = 0;
  std::string out;
  std::vector<std::string> images;
};

int run_pack(const PackOptions& options) {
  if (options.vendors.empty() || options.devices.empty() || options.out.empty() || options.images.empty()) {
    std::cerr << "mpxe-rom: --vendor, --device, --out and at least one image are required (see --help)\n";
    return kExitFailure;
  }
  size_t count = options.images.size();
  auto vendors = parse_per_image("--vendor", options.vendors, count, kMaxPciId);
  auto devices = parse_per_image("--device", options.devices, count, kMaxPciId);
  auto class_code = parse_per_image("--class-code", {options.class_code}, 1, mpxe::rom::kMaxClassCode);
  if (!vendors || !devices || !class_code) return kExitFailure;

  std::vector<std::vector<uint8_t>> files;
  for (const std::string& path : options.images) {
    std::optional<std::vector<uint8_t>> bytes = read_file(path);
    if (!bytes) {
      std::cerr << "mpxe-rom: cannot read " << path << "\n";
      return kExitFailure;
    }
    files.push_back(std::move(*bytes));
  }
  std::vector<mpxe::rom::RomImageInput> inputs(count);
  for (size_t i = 0; i < count; ++i) {
    inputs[i].pe = files[i];
    inputs[i].vendor_id = static_cast<uint16_t>((*vendors)[i]);
    inputs[i].device_id = static_cast<uint16_t>((*devices)[i]);
    inputs[i].class_code = (*class_code)[0];
    inputs[i].code_revision = options.code_revision;
  }

  mpxe::rom::RomPackResult packed = mpxe::rom::pack_rom(inputs);
  if (!packed.ok()) {
    const mpxe::rom::RomError& e = *packed.error;
    std::cerr << "mpxe-rom: " << options.images[e.image_index] << ": " << mpxe::rom::rom_error_text(e.code)
              << " (" << e.detail << ")\n";
    return kExitFailure;
  }
  if (!write_file(options.out, packed.rom)) {
    std::cerr << "mpxe-rom: cannot write " << options.out << "\n";
    return kExitFailure;
  }
  return 0;
}

void print_image(const mpxe::rom::RomImageInfo& image, size_t index) {
  char line[256];
  snprintf(line, sizeof(line),
           "image %zu at 0x%zx: %04x:%04x class %06x, PCIR rev %u at 0x%x, length 0x%zx, code type %u%s\n",
           index, image.offset, image.vendor_id, image.device_id, image.class_code, image.pcir_revision,
           image.pcir_offset, size_t{image.image_length_units} * mpxe::rom::kUnitSize, image.code_type,
           image.is_last() ? ", last" : "");
  std::cout << line;
  if (!image.is_efi()) return;
  snprintf(line, sizeof(line),
           "  EFI: subsystem %u, machine 0x%04x, %s, PE at 0x%x (0x%zx bytes to the end of the initialization "
           "size)\n",
           image.efi_subsystem, image.efi_machine, image.compression == 0 ? "uncompressed" : "compressed",
           image.efi_image_offset, image.efi_image.size());
  std::cout << line;
}

int run_info(const std::string& path) {
  std::optional<std::vector<uint8_t>> rom = read_file(path);
  if (!rom) {
    std::cerr << "mpxe-rom: cannot read " << path << "\n";
    return kExitFailure;
  }
  mpxe::rom::RomReadResult read = mpxe::rom::read_rom(*rom);
  std::cout << path << ": 0x" << std::hex << rom->size() << std::dec << " bytes\n";
  for (size_t i = 0; i < read.images.size(); ++i) print_image(read.images[i], i);
  if (!read.ok()) {
    std::cerr << "mpxe-rom: " << path << ": " << mpxe::rom::rom_read_error_text(*read.error) << " ("
              << read.detail << ")\n";
    return kExitFailure;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Pack EFI driver images into a PCI expansion ROM (uncompressed, PCI 3.0 / UEFI 2.10 14.4.2)"};
  PackOptions options;
  std::string info_path;
  app.add_option("--vendor", options.vendors, "PCI vendor id in hex, once or once per image")
      ->allow_extra_args(false);
  app.add_option("--device", options.devices, "PCI device id in hex, once or once per image")
      ->allow_extra_args(false);
  app.add_option("--class-code", options.class_code, "PCI class code in hex")
      ->capture_default_str();
  app.add_option("--revision", options.code_revision, "Code revision of the images")
      ->capture_default_str();
  app.add_option("--out", options.out, "ROM file to write");
  app.add_option("images", options.images, "EFI driver images (PE32+), in ROM order");
  auto* info = app.add_option("--info", info_path, "Describe an existing ROM and exit");
  info->excludes("--vendor", "--device", "--out", "images");
  CLI11_PARSE(app, argc, argv);

  return info->count() != 0 ? run_info(info_path) : run_pack(options);
}
