//! The HDL kernel of [`SieveMlp`], written once and instantiated for each
//! lane type (rust-hdl's kernels need concrete field access).
//!
//! Per layer, neurons go in groups of `N` (neuron `j` on lane `j mod N`).
//! A group streams the layer's non-zero inputs, `(index, value)` from the
//! source buffer, through a three-stage pipeline (issue the buffer read;
//! read the lane weights at `row + index`; feed every lane), then one
//! terminal pair `(0, 0, T, last)` so a group with no non-zero input still
//! ends its vectors. The pipeline advances only when every lane is ready
//! (serial lanes), and every lane consumes together. When every lane has
//! its result, the post stage adds the bias, applies ReLU and either
//! requantizes into the next layer's non-zero list or updates the argmax,
//! one neuron per clock.

use super::accelerator::{MlpState, SieveMlp, Y_BITS, Z_BITS};
use super::lane::LeanMac;
use super::{ADDR_BITS, INDEX_BITS, LANE_BITS};
use crate::rtl::serial_dot::SerialDot;
use crate::rtl::sieve_dot::SieveDot;
use rust_hdl::prelude::*;

macro_rules! mlp_logic {
    ([$($p:ident),*] $lane:ty) => {
        impl<$(const $p: usize),*> Logic for SieveMlp<$lane, A, W> {
            #[hdl_gen]
            fn update(&mut self) {
                dff_setup!(
                    self, clock, state, layer, ld_kind, ld_i, ld_j, ld_lane, ld_waddr, ld_gbase,
                    ld_taddr, ld_baddr, ld_rd, ld_wr, ld_wl_addr, ld_wl_lane, ld_wl_data, in_sel,
                    in_count, in_i, in_full0, in_full1, in_count0, in_count1, cmp_sel, src_count,
                    dst_count, grp_row, grp_t, bias_ptr, remaining, out_j, p, issued_term, s1_valid,
                    s1_term, s2_valid, s2_term, s2_a, k, issued_all, pp_valid, pp_res, pp_last,
                    py_valid, py_last, py_y, pz_valid, pz_last, pz_y, pz_z, pw_valid, pw_last, pw_y,
                    pw_act, best, best_j, result_valid, result_class
                );
                self.bmem.clock.next = self.clock.val();
                for m in 0..4 {
                    self.nz_idx[m].clock.next = self.clock.val();
                    self.nz_val[m].clock.next = self.clock.val();
                }
                self.tab_inputs_m1.address.next = self.layer.q.val();
                self.tab_outputs_m1.address.next = self.layer.q.val();
                self.tab_shift.address.next = self.layer.q.val();
                self.tab_round.address.next = self.layer.q.val();
                self.tab_relu.address.next = self.layer.q.val();
                self.is_last_layer.next = self.layer.q.val() == self.last_layer.val();

                // Lane handshake and the pipeline stall.
                self.all_ready.next = true;
                self.all_done.next = true;
                for b in 0..self.lanes.len() {
                    self.lanes[b].clock.next = self.clock.val();
                    self.lanes[b].reset.next = self.reset.val();
                    self.res[b].clock.next = self.clock.val();
                    self.done[b].clock.next = self.clock.val();
                    self.res[b].d.next = self.res[b].q.val();
                    self.done[b].d.next = self.done[b].q.val();
                    self.lane_on[b].clock.next = self.clock.val();
                    self.lane_on[b].d.next = self.remaining.q.val().index() > b;
                    self.all_ready.next = self.all_ready.val() & self.lanes[b].in_ready.val();
                    self.all_done.next = self.all_done.val() & self.done[b].q.val();
                }
                self.loading.next = false;
                self.streaming.next = false;
                match self.state.q.val() {
                    MlpState::Load => {
                        self.loading.next = true;
                    }
                    MlpState::Idle => {}
                    MlpState::LayerStart => {}
                    MlpState::Stream => {
                        self.streaming.next = true;
                    }
                    MlpState::Drain => {}
                    MlpState::Post => {}
                }
                self.stall.next = self.s2_valid.q.val() & !self.all_ready.val();

                // The source list of this layer: input buffer `cmp_sel` for
                // layer 0, then hidden buffers 2 and 3 in turn.
                // Only the source buffer is read: a read costs energy.
                self.src_idx.next = self.nz_idx[3].read_data.val();
                self.src_val.next = self.nz_val[3].read_data.val();
                self.src_read.next = 8.into();
                if self.layer.q.val().get_bit(0) {
                    self.src_idx.next = self.nz_idx[2].read_data.val();
                    self.src_val.next = self.nz_val[2].read_data.val();
                    self.src_read.next = 4.into();
                }
                if !self.layer.q.val().any() {
                    self.src_idx.next = self.nz_idx[0].read_data.val();
                    self.src_val.next = self.nz_val[0].read_data.val();
                    self.src_read.next = 1.into();
                    if self.cmp_sel.q.val() {
                        self.src_idx.next = self.nz_idx[1].read_data.val();
                        self.src_val.next = self.nz_val[1].read_data.val();
                        self.src_read.next = 2.into();
                    }
                }
                self.read_row.next =
                    self.grp_row.q.val() + bit_cast::<ADDR_BITS, INDEX_BITS>(self.src_idx.val());

                // Load port: weights, biases, thresholds, layer by layer.
                // A weight's read-modify-write keeps the next beat out for a clock.
                self.load_ready.next = self.loading.val() & !self.ld_rd.q.val();
                self.load_fire.next =
                    self.load_ready.val() & self.load_valid.val() & !self.reset.val();
                self.load_weight.next = self.load_fire.val() & !self.ld_kind.q.val().any();
                self.wstore.clock.next = self.clock.val();
                self.wstore.address.next = self.read_row.val();
                self.wstore.write_data.next = self.load_data.val().get_bits::<W>(0);
                self.wstore.write_lane.next = self.ld_lane.q.val();
                self.wstore.write_enable.next = false;
                self.wstore.read_enable.next =
                    (self.streaming.val() & !self.stall.val()) | self.ld_rd.q.val();
                if self.loading.val() {
                    self.wstore.address.next = self.ld_waddr.q.val();
                    self.wstore.write_enable.next = self.load_weight.val();
                    if self.merge_w.val() {
                        // Fields that are not whole nibbles: the beat's word
                        // is read, then written with its field replaced.
                        self.wstore.address.next = self.ld_wl_addr.q.val();
                        self.wstore.write_data.next = self.ld_wl_data.q.val();
                        self.wstore.write_lane.next = self.ld_wl_lane.q.val();
                        self.wstore.write_enable.next = self.ld_wr.q.val();
                    }
                }
                self.ld_rd.d.next = self.merge_w.val() & self.load_weight.val();
                self.ld_wr.d.next = self.ld_rd.q.val();
                if self.load_weight.val() {
                    self.ld_wl_addr.d.next = self.ld_waddr.q.val();
                    self.ld_wl_lane.d.next = self.ld_lane.q.val();
                    self.ld_wl_data.d.next = self.load_data.val().get_bits::<W>(0);
                }
                self.tstore.clock.next = self.clock.val();
                self.tstore.address.next = self.grp_t.q.val();
                self.tstore.write_data.next = self.load_data.val().get_bits::<8>(0);
                self.tstore.write_lane.next = self.ld_lane.q.val();
                self.tstore.write_enable.next = false;
                // A group's thresholds are read once, with its first pair.
                self.tstore.read_enable.next =
                    self.streaming.val() & !self.p.q.val().any() & !self.issued_term.q.val();
                if self.loading.val() {
                    self.tstore.address.next = self.ld_taddr.q.val();
                    self.tstore.write_enable.next =
                        self.load_fire.val() & (self.ld_kind.q.val() == self.kind_thr.val());
                }
                self.bmem.address.next = self.bias_ptr.q.val();
                self.bmem.write_data.next = self.load_data.val();
                self.bmem.write_enable.next = false;
                self.bmem.read_enable.next = false;
                if self.loading.val() {
                    self.bmem.address.next = self.ld_baddr.q.val();
                    self.bmem.write_enable.next =
                        self.load_fire.val() & (self.ld_kind.q.val() == self.kind_bias.val());
                }
                if self.load_fire.val() {
                    if !self.ld_kind.q.val().any() {
                        self.ld_waddr.d.next = self.ld_waddr.q.val() + 1;
                        self.ld_i.d.next = self.ld_i.q.val() + 1;
                        if self.ld_i.q.val() == self.tab_inputs_m1.data.val() {
                            self.ld_i.d.next = 0.into();
                            if self.ld_j.q.val() == self.tab_outputs_m1.data.val() {
                                self.ld_j.d.next = 0.into();
                                self.ld_lane.d.next = 0.into();
                                self.ld_gbase.d.next = self.ld_waddr.q.val() + 1;
                                self.ld_kind.d.next = self.kind_bias.val();
                            } else {
                                self.ld_j.d.next = self.ld_j.q.val() + 1;
                                if self.ld_lane.q.val() == self.lanes_m1.val() {
                                    self.ld_lane.d.next = 0.into();
                                    self.ld_gbase.d.next = self.ld_waddr.q.val() + 1;
                                } else {
                                    self.ld_lane.d.next = self.ld_lane.q.val() + 1;
                                    self.ld_waddr.d.next = self.ld_gbase.q.val();
                                }
                            }
                        }
                    }
                    if self.ld_kind.q.val() == self.kind_bias.val() {
                        self.ld_baddr.d.next = self.ld_baddr.q.val() + 1;
                        self.ld_j.d.next = self.ld_j.q.val() + 1;
                        if self.ld_j.q.val() == self.tab_outputs_m1.data.val() {
                            self.ld_j.d.next = 0.into();
                            self.ld_kind.d.next = self.kind_thr.val();
                        }
                    }
                    if self.ld_kind.q.val() == self.kind_thr.val() {
                        self.ld_j.d.next = self.ld_j.q.val() + 1;
                        if self.ld_lane.q.val() == self.lanes_m1.val() {
                            self.ld_lane.d.next = 0.into();
                            self.ld_taddr.d.next = self.ld_taddr.q.val() + 1;
                        } else {
                            self.ld_lane.d.next = self.ld_lane.q.val() + 1;
                        }
                        if self.ld_j.q.val() == self.tab_outputs_m1.data.val() {
                            self.ld_j.d.next = 0.into();
                            self.ld_lane.d.next = 0.into();
                            self.ld_taddr.d.next = self.ld_taddr.q.val() + 1;
                            self.ld_kind.d.next = 0.into();
                            self.layer.d.next = self.layer.q.val() + 1;
                            if self.is_last_layer.val() {
                                self.layer.d.next = 0.into();
                                self.state.d.next = MlpState::Idle;
                            }
                        }
                    }
                }

                // Input port: non-zero features into input buffer `in_sel`.
                self.in_ready.next = !self.loading.val() & !self.in_full0.q.val();
                if self.in_sel.q.val() {
                    self.in_ready.next = !self.loading.val() & !self.in_full1.q.val();
                }
                self.in_fire.next = self.in_valid.val() & self.in_ready.val() & !self.reset.val();
                self.in_nonzero.next = self.in_x.val().any();
                for m in 0..4 {
                    self.nz_idx[m].address.next = self.p.q.val();
                    self.nz_val[m].address.next = self.p.q.val();
                    self.nz_idx[m].write_enable.next = false;
                    self.nz_val[m].write_enable.next = false;
                    self.nz_idx[m].read_enable.next =
                        self.streaming.val() & !self.stall.val() & self.src_read.val().get_bit(m);
                    self.nz_val[m].read_enable.next =
                        self.streaming.val() & !self.stall.val() & self.src_read.val().get_bit(m);
                }
                for m in 0..2 {
                    self.nz_idx[m].write_data.next = self.in_i.q.val();
                    self.nz_val[m].write_data.next = self.in_x.val();
                    if self.in_fire.val() & self.in_nonzero.val() & (self.in_sel.q.val() == (m == 1)) {
                        self.nz_idx[m].address.next = self.in_count.q.val();
                        self.nz_val[m].address.next = self.in_count.q.val();
                        self.nz_idx[m].write_enable.next = true;
                        self.nz_val[m].write_enable.next = true;
                    }
                }
                if self.in_fire.val() {
                    self.in_i.d.next = self.in_i.q.val() + 1;
                    if self.in_nonzero.val() {
                        self.in_count.d.next = self.in_count.q.val() + 1;
                    }
                    if self.in_last.val() {
                        self.in_i.d.next = 0.into();
                        self.in_count.d.next = 0.into();
                        self.in_sel.d.next = !self.in_sel.q.val();
                        if self.in_sel.q.val() {
                            self.in_full1.d.next = true;
                            self.in_count1.d.next = self.in_count.q.val() + self.in_nonzero.val();
                        } else {
                            self.in_full0.d.next = true;
                            self.in_count0.d.next = self.in_count.q.val() + self.in_nonzero.val();
                        }
                    }
                }

                // A complete sample starts layer 0.
                if (self.state.q.val() == MlpState::Idle)
                    & ((self.in_full0.q.val() & !self.cmp_sel.q.val())
                        | (self.in_full1.q.val() & self.cmp_sel.q.val()))
                {
                    self.layer.d.next = 0.into();
                    self.grp_row.d.next = 0.into();
                    self.grp_t.d.next = 0.into();
                    self.bias_ptr.d.next = 0.into();
                    self.src_count.d.next = self.in_count0.q.val();
                    if self.cmp_sel.q.val() {
                        self.src_count.d.next = self.in_count1.q.val();
                    }
                    self.state.d.next = MlpState::LayerStart;
                }
                if self.state.q.val() == MlpState::LayerStart {
                    self.remaining.d.next = self.tab_outputs_m1.data.val() + 1;
                    self.dst_count.d.next = 0.into();
                    self.out_j.d.next = 0.into();
                    self.p.d.next = 0.into();
                    self.issued_term.d.next = false;
                    self.s1_valid.d.next = false;
                    self.s2_valid.d.next = false;
                    self.state.d.next = MlpState::Stream;
                }

                // Stream: issue, buffer read, weight read, lanes.
                if self.streaming.val() & !self.stall.val() {
                    self.s1_valid.d.next = !self.issued_term.q.val();
                    self.s1_term.d.next = self.p.q.val() == self.src_count.q.val();
                    if !self.issued_term.q.val() {
                        if self.p.q.val() == self.src_count.q.val() {
                            self.issued_term.d.next = true;
                        } else {
                            self.p.d.next = self.p.q.val() + 1;
                        }
                    }
                    self.s2_valid.d.next = self.s1_valid.q.val();
                    self.s2_term.d.next = self.s1_term.q.val();
                    self.s2_a.d.next = self.src_val.val();
                    if self.s1_term.q.val() {
                        // The terminating pair's zero activation, registered
                        // here: a mux before the lanes lengthened the
                        // exponent's path.
                        self.s2_a.d.next = 0.into();
                    }
                    if self.s2_valid.q.val() & self.s2_term.q.val() {
                        self.state.d.next = MlpState::Drain;
                    }
                }
                for b in 0..self.lanes.len() {
                    self.lanes[b].in_valid.next = self.s2_valid.q.val() & self.all_ready.val();
                    self.lanes[b].in_last.next = self.s2_term.q.val();
                    self.lanes[b].in_a.next = self.s2_a.q.val();
                    self.lanes[b].in_w.next = self.wstore.read_data[b].val();
                    self.lanes[b].in_thr.next = self.tstore.read_data[b].val();
                    if self.s2_term.q.val() {
                        self.lanes[b].in_w.next = 0.into();
                    }
                    if !self.lane_on[b].q.val() {
                        self.lanes[b].in_w.next = 0.into();
                        self.lanes[b].in_thr.next = 0.into();
                    }
                    if self.lanes[b].out_valid.val() {
                        self.res[b].d.next = self.lanes[b].out_sum.val();
                        self.done[b].d.next = true;
                    }
                }
                if (self.state.q.val() == MlpState::Drain) & self.all_done.val() {
                    for b in 0..self.lanes.len() {
                        self.done[b].d.next = false;
                    }
                    self.k.d.next = 0.into();
                    self.issued_all.d.next = false;
                    self.state.d.next = MlpState::Post;
                }

                // Post, stage 1: the bias read.
                self.pp_valid.d.next = false;
                self.post_issue.next =
                    (self.state.q.val() == MlpState::Post) & !self.issued_all.q.val();
                self.post_last.next = (self.k.q.val() == self.lanes_m1.val())
                    | ((bit_cast::<INDEX_BITS, LANE_BITS>(self.k.q.val()) + 1)
                        == self.remaining.q.val());
                if self.post_issue.val() {
                    self.bmem.read_enable.next = true;
                    self.bias_ptr.d.next = self.bias_ptr.q.val() + 1;
                    self.pp_valid.d.next = true;
                    // The results leave lane 0's register and shift down
                    // one lane per clock: no lane-wide mux after k (a
                    // 16-way mux on k was the critical path).
                    self.pp_res.d.next = self.res[0].q.val();
                    for b in 1..self.lanes.len() {
                        self.res[b - 1].d.next = self.res[b].q.val();
                    }
                    self.pp_last.d.next = self.post_last.val();
                    if self.post_last.val() {
                        self.issued_all.d.next = true;
                    } else {
                        self.k.d.next = self.k.q.val() + 1;
                    }
                }

                // Post, stage 2: y = acc + bias, ReLU.
                self.y.next = bit_cast::<Y_BITS, 32>(self.pp_res.q.val());
                if self.pp_res.q.val().get_bit(31) {
                    self.y.next = self.y.val() | self.sext_y.val();
                }
                self.bias_ext.next = bit_cast::<Y_BITS, 32>(self.bmem.read_data.val());
                if self.bmem.read_data.val().get_bit(31) {
                    self.bias_ext.next = self.bias_ext.val() | self.sext_y.val();
                }
                self.y.next = self.y.val() + self.bias_ext.val();
                self.y_negative.next = false;
                for top in (Y_BITS - 1)..Y_BITS {
                    self.y_negative.next = self.y.val().get_bit(top);
                }
                if self.tab_relu.data.val() & self.y_negative.val() {
                    self.y.next = 0.into();
                }
                self.py_valid.d.next = self.pp_valid.q.val();
                self.py_last.d.next = self.pp_last.q.val();
                self.py_y.d.next = self.y.val();

                // Post, stage 3: the rounding constant added.
                self.py_negative.next = false;
                for top in (Y_BITS - 1)..Y_BITS {
                    self.py_negative.next = self.py_y.q.val().get_bit(top);
                }
                self.z.next = bit_cast::<Z_BITS, Y_BITS>(self.py_y.q.val());
                if self.py_negative.val() {
                    self.z.next = self.z.val() | self.sext_z.val();
                }
                self.pz_valid.d.next = self.py_valid.q.val();
                self.pz_last.d.next = self.py_last.q.val();
                self.pz_y.d.next = self.py_y.q.val();
                self.pz_z.d.next = self.z.val() + self.tab_round.data.val();

                // Post, stage 4: shift, clamp, then the next layer's list or
                // the argmax.
                self.q.next = self.pz_z.q.val() >> self.tab_shift.data.val();
                if (self.pz_z.q.val() & self.z_sign.val()).any() {
                    self.q.next = !((!self.pz_z.q.val()) >> self.tab_shift.data.val());
                    if self.q.val() < self.a_min.val() {
                        self.q.next = self.a_min.val();
                    }
                } else if self.q.val() > self.a_max.val() {
                    self.q.next = self.a_max.val();
                }
                self.act.next = self.q.val().get_bits::<A>(0);
                self.pw_valid.d.next = self.pz_valid.q.val();
                self.pw_last.d.next = self.pz_last.q.val();
                self.pw_y.d.next = self.pz_y.q.val();
                self.pw_act.d.next = self.act.val();

                // Post, stage 5: the write into the next layer's list, or the
                // argmax; the end of the group.
                self.take.next = !self.out_j.q.val().any()
                    | ((self.pw_y.q.val() ^ self.y_flip.val()) > (self.best.q.val() ^ self.y_flip.val()));
                self.class_now.next = self.best_j.q.val();
                if self.take.val() {
                    self.class_now.next = self.out_j.q.val().get_bits::<8>(0);
                }
                self.hidden_write.next =
                    self.pw_valid.q.val() & !self.is_last_layer.val() & self.pw_act.q.val().any();
                self.dst_next.next = self.dst_count.q.val();
                if self.hidden_write.val() {
                    self.dst_next.next = self.dst_count.q.val() + 1;
                }
                for m in 2..4 {
                    self.nz_idx[m].write_data.next = self.out_j.q.val();
                    self.nz_val[m].write_data.next = self.pw_act.q.val();
                    if self.hidden_write.val() & (self.layer.q.val().get_bit(0) == (m == 3)) {
                        self.nz_idx[m].address.next = self.dst_count.q.val();
                        self.nz_val[m].address.next = self.dst_count.q.val();
                        self.nz_idx[m].write_enable.next = true;
                        self.nz_val[m].write_enable.next = true;
                    }
                }
                self.result_valid.d.next = false;
                self.last_group.next = self.remaining.q.val() <= self.lanes_n.val();
                if self.pw_valid.q.val() {
                    self.out_j.d.next = self.out_j.q.val() + 1;
                    self.dst_count.d.next = self.dst_next.val();
                    if self.is_last_layer.val() {
                        self.best.d.next = self.pw_y.q.val();
                        self.best_j.d.next = self.class_now.val();
                        if !self.take.val() {
                            self.best.d.next = self.best.q.val();
                        }
                    }
                    if self.pw_last.q.val() {
                        // End of the group.
                        self.grp_row.d.next = self.grp_row.q.val()
                            + bit_cast::<ADDR_BITS, INDEX_BITS>(self.tab_inputs_m1.data.val())
                            + 1;
                        self.grp_t.d.next = self.grp_t.q.val() + 1;
                        self.remaining.d.next = self.remaining.q.val() - self.lanes_n.val();
                        self.p.d.next = 0.into();
                        self.issued_term.d.next = false;
                        self.state.d.next = MlpState::Stream;
                        if self.last_group.val() {
                            // End of the layer.
                            if !self.layer.q.val().any() {
                                // Layer 0 has read its input buffer: free it.
                                self.cmp_sel.d.next = !self.cmp_sel.q.val();
                                if self.cmp_sel.q.val() {
                                    self.in_full1.d.next = false;
                                } else {
                                    self.in_full0.d.next = false;
                                }
                            }
                            if self.is_last_layer.val() {
                                self.result_valid.d.next = true;
                                self.result_class.d.next = self.class_now.val();
                                self.state.d.next = MlpState::Idle;
                            } else {
                                self.layer.d.next = self.layer.q.val() + 1;
                                self.src_count.d.next = self.dst_next.val();
                                self.state.d.next = MlpState::LayerStart;
                            }
                        }
                    }
                }
                self.out_valid.next = self.result_valid.q.val();
                self.out_class.next = self.result_class.q.val();

                // Plane counters (none unless exported with them): each
                // lane's counts, kept and shifted out like its result.
                for b in 0..self.lane_zero_w.len() {
                    self.lane_zero_w[b].clock.next = self.clock.val();
                    self.lane_sieved[b].clock.next = self.clock.val();
                    self.lane_kept[b].clock.next = self.clock.val();
                    self.lane_zero_w[b].d.next = self.lane_zero_w[b].q.val();
                    self.lane_sieved[b].d.next = self.lane_sieved[b].q.val();
                    self.lane_kept[b].d.next = self.lane_kept[b].q.val();
                    if self.lanes[b].out_valid.val() {
                        self.lane_zero_w[b].d.next = self.lanes[b].out_zero_w.val();
                        self.lane_sieved[b].d.next = self.lanes[b].out_sieved.val();
                        self.lane_kept[b].d.next = self.lanes[b].out_kept.val();
                    }
                }
                if self.post_issue.val() {
                    for b in 1..self.lane_zero_w.len() {
                        self.lane_zero_w[b - 1].d.next = self.lane_zero_w[b].q.val();
                        self.lane_sieved[b - 1].d.next = self.lane_sieved[b].q.val();
                        self.lane_kept[b - 1].d.next = self.lane_kept[b].q.val();
                    }
                }
                for c in 0..self.counters.len() {
                    self.counters[c].clock.next = self.clock.val();
                    self.counters[c].layer_start.next = self.state.q.val() == MlpState::LayerStart;
                    self.counters[c].first_layer.next = !self.layer.q.val().any();
                    self.counters[c].inputs_m1.next = self.tab_inputs_m1.data.val();
                    self.counters[c].nonzero.next = self.src_count.q.val();
                    self.counters[c].post_issue.next = self.post_issue.val();
                    self.counters[c].post_zero_w.next = self.lane_zero_w[0].q.val();
                    self.counters[c].post_sieved.next = self.lane_sieved[0].q.val();
                    self.counters[c].post_kept.next = self.lane_kept[0].q.val();
                    self.out_zero_a[c].next = self.counters[c].zero_a.val();
                    self.out_zero_w[c].next = self.counters[c].zero_w.val();
                    self.out_sieved[c].next = self.counters[c].sieved.val();
                    self.out_kept[c].next = self.counters[c].kept.val();
                }

                if self.reset.val() {
                    self.state.d.next = MlpState::Load;
                    self.layer.d.next = 0.into();
                    self.ld_kind.d.next = 0.into();
                    self.ld_i.d.next = 0.into();
                    self.ld_j.d.next = 0.into();
                    self.ld_lane.d.next = 0.into();
                    self.ld_waddr.d.next = 0.into();
                    self.ld_gbase.d.next = 0.into();
                    self.ld_taddr.d.next = 0.into();
                    self.ld_baddr.d.next = 0.into();
                    self.ld_rd.d.next = false;
                    self.ld_wr.d.next = false;
                    self.in_sel.d.next = false;
                    self.in_count.d.next = 0.into();
                    self.in_i.d.next = 0.into();
                    self.in_full0.d.next = false;
                    self.in_full1.d.next = false;
                    self.cmp_sel.d.next = false;
                    self.s1_valid.d.next = false;
                    self.s2_valid.d.next = false;
                    self.pp_valid.d.next = false;
                    self.py_valid.d.next = false;
                    self.pz_valid.d.next = false;
                    self.pw_valid.d.next = false;
                    self.result_valid.d.next = false;
                    for b in 0..self.lanes.len() {
                        self.done[b].d.next = false;
                    }
                }
            }
        }
    };
}

// Lanes have t_bits 8, acc_bits 32 and cnt_bits 32 (SPEC section 9's units).
mlp_logic!([A, W, XW, PW, EB, VW, HN, DEPTH, CW] SieveDot<A, W, 8, 32, 32, XW, PW, EB, VW, HN, DEPTH, CW>);
mlp_logic!([A, W, XW, PW, EB, VW, HN, CW, AX] SerialDot<A, W, 8, 32, 32, XW, PW, EB, VW, HN, CW, AX>);
mlp_logic!([A, W, EB, VW, WK, PW, AW] LeanMac<A, W, EB, VW, WK, PW, AW>);
